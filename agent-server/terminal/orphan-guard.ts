import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A tiny watcher process that outlives Cairn just long enough to kill the process groups it
 * started. Cairn tells it each group as it starts ("+ pgid") and is reaped ("- pgid") over a
 * pipe; when the pipe closes — Cairn exited, crashed or was killed with SIGKILL, when no exit
 * handler runs — it kills every group still listed. It sits in its own process group and
 * ignores terminal signals, so whatever kills Cairn's group does not take it along first.
 */
const WATCHER = `
trap '' INT HUP TERM PIPE
groups=' '
while read -r op pgid; do
  case "$op" in
    +) groups="$groups$pgid " ;;
    -) case "$groups" in *" $pgid "*) groups="\${groups%%" $pgid "*} \${groups#*" $pgid "}" ;; esac ;;
  esac
done
for g in $groups; do kill -9 -$g 2>/dev/null; done
`;

let watcher: ChildProcess | undefined;
let unavailable = false;

function send(line: string): void {
  if (unavailable) return;
  if (!watcher) {
    try {
      watcher = spawn('/bin/sh', ['-c', WATCHER], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    } catch {
      unavailable = true;
      return;
    }
    watcher.on('error', () => (unavailable = true));
    watcher.stdin!.on('error', () => (unavailable = true));
    // Neither the watcher nor its pipe may keep Cairn alive.
    watcher.unref();
    (watcher.stdin as unknown as { unref?: () => void }).unref?.();
  }
  watcher.stdin!.write(line);
}

export function guardProcessGroup(pgid: number): void {
  send(`+ ${pgid}\n`);
}

export function releaseProcessGroup(pgid: number): void {
  send(`- ${pgid}\n`);
}
