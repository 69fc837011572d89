import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MissingDependencyError } from '../../core/errors.ts';
import { executable, onPath } from '../../core/find-programs.ts';

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
    "mediasoup's worker binary is not installed. Its install script downloads a prebuilt worker from GitHub (or builds one with Python, meson and a C++ toolchain); " +
    'this project denies that script (package.json "allowScripts") so that `npm ci` still installs mediasoup\'s code and types where the download is impossible. ' +
    'On a machine that can download or build it: `npm explore mediasoup -- node npm-scripts.mjs postinstall`; or point MEDIASOUP_WORKER_BIN at a mediasoup-worker binary of the same version; ' +
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

export type MediasoupWorker = { ok: true; bin: string; version: string; source: string } | { ok: false; reason: string };

/**
 * Whether a mediasoup worker can be spawned here: MEDIASOUP_WORKER_BIN, else the binary a normal install of the
 * mediasoup package puts in its worker/out/Release folder. Never throws.
 */
export async function findMediasoupWorker(): Promise<MediasoupWorker> {
  let mediasoup: { workerBin: string; version: string };
  try {
    mediasoup = await import('mediasoup');
  } catch (err) {
    return { ok: false, reason: `the mediasoup package is not installed (${(err as Error).message.split('\n')[0]}); run npm install` };
  }
  const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
  const bin = fromEnv || mediasoup.workerBin;
  const source = fromEnv ? 'MEDIASOUP_WORKER_BIN' : 'mediasoup package';
  if (!existsSync(bin)) return { ok: false, reason: `mediasoup ${mediasoup.version} is installed but its worker binary ${bin} (${source}) does not exist` };
  if (!executable(bin)) return { ok: false, reason: `mediasoup worker ${bin} (${source}) is not executable` };
  return { ok: true, bin, version: mediasoup.version, source };
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
  const worker = await findMediasoupWorker();
  const mediasoup: BackendCheck = worker.ok
    ? { name: 'relay mediasoup', ok: true, detail: `mediasoup ${worker.version}, worker ${worker.bin} (${worker.source})` }
    : { name: 'relay mediasoup', ok: false, detail: worker.reason, hint: RELAY_INSTALL_HINT.mediasoup };
  return [janus, compiler, coturn, mediasoup];
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
