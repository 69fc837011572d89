import { execFile, execFileSync } from 'node:child_process';
import { commandLine, type Command } from './ip-commands.ts';
import { networkDefaults } from './network-defaults.ts';
import { NetworkCommandError } from './network-errors.ts';

/** Runs ip/tc commands (argv, no shell) and turns failures into NetworkCommandError with the command and its stderr. */
export function run(cmd: Command): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd.program, cmd.args, { timeout: networkDefaults.commandTimeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new NetworkCommandError(commandLine(cmd), stderr || err.message));
      else resolve(stdout);
    });
    if (cmd.stdin !== undefined) child.stdin?.end(cmd.stdin);
  });
}

export async function runAll(commands: Command[]): Promise<void> {
  for (const cmd of commands) await run(cmd);
}

/** Runs each command, ignoring failures (removal steps that an earlier step may have made moot); returns the errors. */
export async function runEach(commands: Command[]): Promise<NetworkCommandError[]> {
  const errors: NetworkCommandError[] = [];
  for (const cmd of commands) {
    try {
      await run(cmd);
    } catch (err) {
      errors.push(err as NetworkCommandError);
    }
  }
  return errors;
}

/** Synchronous removal for the process 'exit' hook (no event loop left there); failures are ignored. */
export function runEachSync(commands: Command[]): void {
  for (const cmd of commands) {
    try {
      execFileSync(cmd.program, cmd.args, { stdio: 'ignore', timeout: networkDefaults.commandTimeoutMs });
    } catch {
      /* already gone */
    }
  }
}
