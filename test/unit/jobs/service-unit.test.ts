import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { launchdAgent, systemdUserUnit } from '../../../agent-server/jobs/service-unit.js';

const cmd = { node: '/usr/bin/node', script: '/opt/cairn/dist/cairn.js', home: '/home/ada/.cairn' };

describe('scheduler service files', () => {
  it('generates a systemd user unit that runs `cairn jobs serve` with Cairn home', () => {
    const unit = systemdUserUnit(cmd, '/home/ada');
    assert.equal(unit.path, '/home/ada/.config/systemd/user/cairn-jobs.service');
    assert.equal(
      unit.content,
      [
        '[Unit]',
        'Description=Cairn scheduled jobs',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=simple',
        'ExecStart=/usr/bin/node /opt/cairn/dist/cairn.js jobs serve',
        'Environment=CAIRN_HOME=/home/ada/.cairn',
        'Restart=on-failure',
        'RestartSec=30',
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
      ].join('\n'),
    );
    assert.deepEqual(unit.enable.at(-1), ['systemctl', '--user', 'enable', '--now', 'cairn-jobs.service']);
  });

  it('quotes paths with spaces in the unit and escapes them in the plist', () => {
    const spaced = { ...cmd, script: '/Users/a b/cairn "x".js', home: '/Users/a b/.cairn' };
    const unit = systemdUserUnit(spaced, '/home/a');
    assert.match(unit.content, /^ExecStart=\/usr\/bin\/node "\/Users\/a b\/cairn \\"x\\".js" jobs serve$/m);
    assert.match(unit.content, /^Environment="CAIRN_HOME=\/Users\/a b\/.cairn"$/m);
    const plist = launchdAgent({ ...cmd, script: '/a/<b>&.js' }, '/Users/a');
    assert.match(plist.content, /<string>\/a\/&lt;b&gt;&amp;.js<\/string>/);
    assert.equal(plist.path, '/Users/a/Library/LaunchAgents/dev.cairn.jobs.plist');
  });
});
