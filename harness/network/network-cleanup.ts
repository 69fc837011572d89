import { runEachSync } from './command-runner.ts';
import type { Command } from './ip-commands.ts';

/**
 * Removal commands of every namespace and interface the lab has created and not yet removed. A normal ending removes
 * each through the run's ResourceStack; if Node exits any other way (a second Ctrl-C, an uncaught error) the 'exit'
 * hook below runs what is left, synchronously. Whatever survives even that (SIGKILL) is swept by the next `lab run`.
 */
const pending = new Map<string, Command[]>();
let hooked = false;

export const networkCleanup = {
  add(key: string, commands: Command[]): void {
    pending.set(key, commands);
    if (!hooked) {
      hooked = true;
      process.on('exit', () => {
        for (const commands of pending.values()) runEachSync(commands);
        pending.clear();
      });
    }
  },
  remove(key: string): void {
    pending.delete(key);
  },
  pending(): string[] {
    return [...pending.keys()];
  },
};
