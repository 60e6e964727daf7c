/** Where and what `cairn jobs install` writes so the scheduler runs as a per-user service. */
export interface ServiceFile {
  path: string;
  content: string;
  /** Commands that load it, shown to the user (and run by `install`). */
  enable: string[][];
  disable: string[][];
}

export const SERVICE_NAME = 'cairn-jobs';

/** The command line that runs the scheduler: this Node and this cairn script, absolute. */
export interface SchedulerCommand {
  node: string;
  script: string;
  /** Cairn's home, fixed in the unit so the service sees the same jobs as the user. */
  home: string;
}

/** systemd quotes: arguments with spaces or quotes in double quotes, escaped. */
function systemdQuote(arg: string): string {
  return /[\s"'\\]/.test(arg) ? `"${arg.replace(/(["\\])/g, '\\$1')}"` : arg;
}

/** A systemd user unit (Linux): `~/.config/systemd/user/cairn-jobs.service`. */
export function systemdUserUnit(cmd: SchedulerCommand, userHome: string): ServiceFile {
  const exec = [cmd.node, cmd.script, 'jobs', 'serve'].map(systemdQuote).join(' ');
  const content = [
    '[Unit]',
    'Description=Cairn scheduled jobs',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    `Environment=${systemdQuote(`CAIRN_HOME=${cmd.home}`)}`,
    'Restart=on-failure',
    'RestartSec=30',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
  return {
    path: `${userHome}/.config/systemd/user/${SERVICE_NAME}.service`,
    content,
    enable: [
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', `${SERVICE_NAME}.service`],
    ],
    disable: [['systemctl', '--user', 'disable', '--now', `${SERVICE_NAME}.service`]],
  };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A launchd agent (macOS): `~/Library/LaunchAgents/dev.cairn.jobs.plist`. */
export function launchdAgent(cmd: SchedulerCommand, userHome: string): ServiceFile {
  const label = 'dev.cairn.jobs';
  const file = `${userHome}/Library/LaunchAgents/${label}.plist`;
  const args = [cmd.node, cmd.script, 'jobs', 'serve'].map((a) => `    <string>${xml(a)}</string>`);
  const content = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key><string>${label}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    `  <dict><key>CAIRN_HOME</key><string>${xml(cmd.home)}</string></dict>`,
    '  <key>RunAtLoad</key><true/>',
    '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
  return {
    path: file,
    content,
    enable: [['launchctl', 'load', '-w', file]],
    disable: [['launchctl', 'unload', '-w', file]],
  };
}
