import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MissingDependencyError } from '../../core/errors.ts';
import { executable, onPath } from '../../core/find-programs.ts';
import { findMediasoupWorker, startMediasoupWorker, type MediasoupWorker } from './mediasoup-worker.ts';

export { findMediasoupWorker, type MediasoupWorker };

/**
 * Where the external relay backends live and whether they can run here: the Janus gateway and coturn (Debian
 * packages `janus`, `coturn`), a C compiler for Janus's loopback shim, and mediasoup's worker binary. Used by the
 * backends themselves, by `lab run`'s preflight (exit 2 with these hints) and by `lab doctor`.
 */

export const RELAY_INSTALL_HINT = {
  janus: 'install the Janus gateway: `npm run setup` (Debian/Ubuntu: apt-get install -y janus) or point JANUS_PATH at a janus 1.x binary (and JANUS_LIB_DIR at the folder holding its plugins/ and transports/)',
  coturn: 'install coturn: `npm run setup` (Debian/Ubuntu: apt-get install -y coturn) or point TURNSERVER_PATH at a turnserver binary',
  compiler: 'install a C compiler: `npm run setup` (Debian/Ubuntu: apt-get install -y gcc libc6-dev) or point CC at one',
  mediasoup:
    "build mediasoup's worker: `npm run setup` (Debian/Ubuntu: scripts/mediasoup-worker/build.sh compiles it from the C++ sources in node_modules/mediasoup " +
    'with Debian packages: ~16 CPU-minutes, once per machine, cached outside the clone); or point MEDIASOUP_WORKER_BIN at a mediasoup-worker binary of the same version; ' +
    'or use relay: werift / janus',
} as const;

export interface JanusInstall {
  binary: string;
  /** Folder holding libjanus_streaming.so. */
  pluginsDir: string;
  /** Folder holding libjanus_http.so. */
  transportsDir: string;
}

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

/** The janus binary (JANUS_PATH, else PATH) and the folders of its streaming plugin and HTTP transport. */
export function findJanus(): JanusInstall {
  const fromEnv = process.env.JANUS_PATH;
  if (fromEnv && !executable(fromEnv)) throw new MissingDependencyError(`JANUS_PATH=${fromEnv} is not an executable file; ${RELAY_INSTALL_HINT.janus}`);
  const binary = fromEnv || onPath('janus') || (executable('/opt/janus/bin/janus') ? '/opt/janus/bin/janus' : undefined);
  if (!binary) throw new MissingDependencyError(`janus not found; ${RELAY_INSTALL_HINT.janus}`);
  const triplet = MULTIARCH[process.arch];
  const libDirs = [
    process.env.JANUS_LIB_DIR,
    triplet ? `/usr/lib/${triplet}/janus` : undefined,
    '/usr/lib/janus',
    '/usr/local/lib/janus',
    '/opt/janus/lib/janus',
  ].filter((d): d is string => Boolean(d));
  for (const dir of libDirs) {
    const pluginsDir = join(dir, 'plugins');
    const transportsDir = join(dir, 'transports');
    if (existsSync(join(pluginsDir, 'libjanus_streaming.so')) && existsSync(join(transportsDir, 'libjanus_http.so'))) {
      return { binary, pluginsDir, transportsDir };
    }
  }
  throw new MissingDependencyError(
    `found ${binary} but not its streaming plugin and HTTP transport (looked in ${libDirs.join(', ')}); ${RELAY_INSTALL_HINT.janus}`,
  );
}

/** coturn's turnserver: TURNSERVER_PATH, else PATH. */
export function findTurnserver(): string {
  const fromEnv = process.env.TURNSERVER_PATH;
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new MissingDependencyError(`TURNSERVER_PATH=${fromEnv} is not an executable file; ${RELAY_INSTALL_HINT.coturn}`);
  }
  const found = onPath('turnserver') ?? (executable('/usr/bin/turnserver') ? '/usr/bin/turnserver' : undefined);
  if (!found) throw new MissingDependencyError(`turnserver (coturn) not found; ${RELAY_INSTALL_HINT.coturn}`);
  return found;
}

/** A C compiler for the Janus loopback shim: CC, else cc / gcc / clang on PATH. */
export function findCCompiler(): string {
  const fromEnv = process.env.CC;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  const found = (fromEnv ? onPath(fromEnv) : undefined) ?? onPath('cc') ?? onPath('gcc') ?? onPath('clang');
  if (!found) throw new MissingDependencyError(`no C compiler found (Janus needs a 10-line shim to offer 127.0.0.1 as an ICE candidate); ${RELAY_INSTALL_HINT.compiler}`);
  return found;
}

export interface BackendCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

function check(name: string, probe: () => string, hint: string): BackendCheck {
  try {
    return { name, ok: true, detail: probe() };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message.split(';')[0] ?? String(err), hint };
  }
}

/** What `lab doctor` says about the optional relay backends. */
export async function relayBackendChecks(): Promise<BackendCheck[]> {
  const janus = check('relay janus', () => {
    const found = findJanus();
    return `${found.binary} (plugins in ${found.pluginsDir})`;
  }, RELAY_INSTALL_HINT.janus);
  const compiler = check('relay janus: C compiler for its loopback shim', findCCompiler, RELAY_INSTALL_HINT.compiler);
  const coturn = check('TURN (coturn, for turn: true)', findTurnserver, RELAY_INSTALL_HINT.coturn);
  return [janus, compiler, coturn, await mediasoupCheck()];
}

/** The mediasoup worker, proven by starting it (a worker and a router, then closed), not just found. */
async function mediasoupCheck(): Promise<BackendCheck> {
  const worker = await findMediasoupWorker();
  if (!worker.ok) return { name: 'relay mediasoup', ok: false, detail: worker.reason, hint: RELAY_INSTALL_HINT.mediasoup };
  try {
    return { name: 'relay mediasoup', ok: true, detail: await startMediasoupWorker(worker) };
  } catch (err) {
    const detail = `mediasoup ${worker.version}, worker ${worker.bin} (${worker.source}) does not start: ${(err as Error).message.split('\n')[0]}`;
    return { name: 'relay mediasoup', ok: false, detail, hint: RELAY_INSTALL_HINT.mediasoup };
  }
}

/**
 * What keeps a run's WebRTC paths from starting here (a backend or coturn not installed, no mediasoup worker), one
 * line per problem naming the path and the fix; empty when everything is in place. `lab run` exits 2 on any.
 */
export async function relayProblems(paths: Array<{ id: string; relay: string; turn?: boolean }>): Promise<string[]> {
  const problems: string[] = [];
  const attempt = (id: string, what: string, probe: () => unknown) => {
    try {
      probe();
    } catch (err) {
      problems.push(`path "${id}" (${what}): ${(err as Error).message}`);
    }
  };
  for (const path of paths) {
    if (path.relay === 'janus') {
      attempt(path.id, 'relay: janus', findJanus);
      attempt(path.id, 'relay: janus', findCCompiler);
    }
    if (path.relay === 'mediasoup') {
      const worker = await findMediasoupWorker();
      if (!worker.ok) problems.push(`path "${path.id}" (relay: mediasoup): ${worker.reason}. ${RELAY_INSTALL_HINT.mediasoup}`);
    }
    if (path.turn) attempt(path.id, 'turn: true', findTurnserver);
  }
  return [...new Set(problems)];
}
