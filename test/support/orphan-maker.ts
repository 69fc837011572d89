/**
 * A stand-in lab process for the run-state tests: starts real children through ManagedProcess (each its own process
 * group, the second with a grandchild in its group), makes a temporary folder through the registry, prints one JSON
 * line with what it made, then either waits (to be killed with kill -9) or, with the argument "exit", calls
 * process.exit(130) as a second Ctrl-C does.
 */
import { ManagedProcess } from '../../core/process/managed-process.ts';
import { makeTempDir } from '../../core/process/process-registry.ts';
import { runState } from '../../core/process/run-state.ts';

runState.setRunId('orphan-test');
const single = await ManagedProcess.start({ name: 'sleeper', command: 'sleep', args: ['300'] });
const group = await ManagedProcess.start({ name: 'sleeper group', command: 'sh', args: ['-c', 'sleep 301 & echo started; wait'], readyWhen: /started/ });
const dir = await makeTempDir('latency-lab-orphan-test-');
process.stdout.write(`${JSON.stringify({ pids: [single.pid, group.pid], dir, stateFile: runState.path })}\n`);
if (process.argv[2] === 'exit') process.exit(130);
setInterval(() => {}, 1000);
