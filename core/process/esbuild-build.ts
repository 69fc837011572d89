import { build, stop, type BuildOptions } from 'esbuild';

/**
 * esbuild's build() talks to one long-lived esbuild service, a child process in the lab's own process group. A
 * Ctrl-C typed in a terminal sends SIGINT to the whole group, so it kills that service too, and every later build
 * fails with "The service is no longer running" (the report then went unwritten). stop() makes esbuild forget the
 * dead service; the retried build starts a fresh one, which the signal, already delivered, cannot reach.
 */
const DEAD_SERVICE = /service is no longer running|service was stopped/i;

/** Bumped at each restart, so that builds that failed together restart the service once, not each other's. */
let generation = 0;

/** Builds in memory (write: false) and resolves with the text of the first output file. */
export async function buildRestartingService(options: BuildOptions): Promise<string> {
  const once = async () => (await build({ ...options, write: false })).outputFiles[0]!.text;
  const started = generation;
  try {
    return await once();
  } catch (err) {
    if (!DEAD_SERVICE.test((err as Error).message ?? '')) throw err;
    if (started === generation) {
      generation++;
      await stop();
    }
    return once();
  }
}
