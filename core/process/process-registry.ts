/**
 * Every child process group the lab starts is registered here, so that no ffmpeg, Chromium or server outlives
 * the lab: on a normal close each owner kills its own group, and if Node exits any other way (uncaught error,
 * process.exit from a signal handler) the 'exit' hook below SIGKILLs whatever is still registered.
 */
const groups = new Map<number, string>();
let hooked = false;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

export const processRegistry = {
  /** Registers a child that was spawned as the leader of its own process group (detached). */
  add(pid: number, label: string): void {
    groups.set(pid, label);
    if (!hooked) {
      hooked = true;
      process.on('exit', () => {
        for (const pid of groups.keys()) killGroup(pid, 'SIGKILL');
      });
    }
  },
  remove(pid: number): void {
    groups.delete(pid);
  },
  /** Sends `signal` to the child's whole process group; false when it was already gone. */
  signal(pid: number, signal: NodeJS.Signals): boolean {
    return killGroup(pid, signal);
  },
  live(): Array<{ pid: number; label: string }> {
    return [...groups].map(([pid, label]) => ({ pid, label }));
  },
};

/** Whether a process (or group leader) still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
