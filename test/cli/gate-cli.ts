import { Command, CommanderError } from 'commander';
import { registerGateCommands } from '../../cli/gate-commands.ts';

export interface GateCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `lab <args>` with only the gate commands registered, in this process, the way harness/cli/main.ts does
 * (exitOverride; a CommanderError's code becomes the exit code). Restores process.exitCode afterwards.
 */
export async function runGate(args: string[]): Promise<GateCliResult> {
  let stdout = '';
  let stderr = '';
  const program = new Command().name('lab').exitOverride();
  program.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerGateCommands(program, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  const before = process.exitCode;
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(args, { from: 'user' });
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = err.exitCode;
  } finally {
    process.exitCode = before;
  }
  return { code, stdout, stderr };
}
