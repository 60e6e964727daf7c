import * as vscode from 'vscode';
import type { CommandTerminal } from '../command-terminal.js';

/**
 * Shows a command the agent runs in a VS Code pseudo-terminal, so the user can watch it
 * (and stop it with Ctrl+C). The output the agent gets is captured separately, within its limit.
 */
export function showAgentTerminal(command: CommandTerminal): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const toTerminal = (text: string) => text.replace(/\r?\n/g, '\r\n');
  let unsubscribe = () => {};
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    open: () => {
      write.fire(`\x1b[2m$ ${command.commandLine}\x1b[0m\r\n`);
      write.fire(toTerminal(command.buffer.output));
      const off = command.onData((text) => write.fire(toTerminal(text)));
      unsubscribe = () => void off();
      command.onExit((exit) => {
        const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode}`;
        write.fire(`\r\n\x1b[2m[${how}]\x1b[0m\r\n`);
      });
    },
    close: () => {
      unsubscribe();
      write.dispose();
    },
    handleInput: (data) => {
      if (data === '\x03') command.kill();
    },
  };
  const terminal = vscode.window.createTerminal({ name: `Cairn: ${command.commandLine}`.slice(0, 60), pty });
  terminal.show(true);
  return terminal;
}
