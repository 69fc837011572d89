import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../core/errors.ts';
import { executable } from '../../core/find-programs.ts';
import { isAlive } from '../../core/process/process-registry.ts';

/**
 * Where the lab finds mediasoup's worker binary, in this order:
 *   1. MEDIASOUP_WORKER_BIN (must be an executable file when set),
 *   2. the cache of scripts/mediasoup-worker/build.sh (`npm run setup` builds it there from the package's C++ sources
 *      and Debian packages): <cache>/mediasoup-worker/<version>-<recipe hash>/mediasoup-worker,
 *   3. the package's own node_modules/mediasoup/worker/out/Release/mediasoup-worker (a normal, downloading install).
 * mediasoup reads its worker path once, when it is first imported; loadMediasoup() makes that the found one.
 */

/** The folder of build.sh and its subproject files: its hash is part of the cache key. */
export const RECIPE_DIR = fileURLToPath(new URL('../../scripts/mediasoup-worker/', import.meta.url));

export type MediasoupWorker = { ok: true; bin: string; version: string; source: string } | { ok: false; reason: string };

/** mediasoup couldn't be loaded with the worker the lab found (a second, different worker in one process). */
export class MediasoupLoadError extends LabError {
  override name = 'MediasoupLoadError';
}

interface MediasoupPackage {
  dir: string;
  version: string;
}

/** The installed mediasoup package (its folder and version), without importing it (importing fixes its worker path). */
export function mediasoupPackage(): MediasoupPackage | { error: string } {
  try {
    const main = createRequire(import.meta.url).resolve('mediasoup'); // <dir>/node/lib/index.js
    const dir = join(dirname(main), '..', '..');
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    return { dir, version };
  } catch (err) {
    return { error: `the mediasoup package is not installed (${(err as Error).message.split('\n')[0]}); run npm ci` };
  }
}

/** Cache folders build.sh may have used: LATENCY_LAB_CACHE alone when set, else /var/cache then the user's cache. */
export function cacheRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.LATENCY_LAB_CACHE) return [env.LATENCY_LAB_CACHE];
  const userCache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return ['/var/cache/latency-lab', join(userCache, 'latency-lab')];
}

function filesUnder(dir: string, prefix = '.'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) return filesUnder(join(dir, entry.name), rel);
    return entry.isFile() ? [rel] : [];
  });
}

/**
 * The recipe's hash, as build.sh computes it: sha256 of the `sha256sum` lines ("<hex>  ./<path>") of every file in
 * the recipe folder sorted bytewise, first 12 hex digits. Any edit to the recipe gives a new cache entry.
 */
export function recipeHash(dir: string = RECIPE_DIR): string {
  const paths = filesUnder(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const lines = paths.map((rel) => `${createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')}  ${rel}\n`).join('');
  return createHash('sha256').update(lines).digest('hex').slice(0, 12);
}

/** Where build.sh puts the worker for this mediasoup version and recipe under one cache root. */
export function cachedWorkerPath(root: string, version: string, hash: string = recipeHash()): string {
  return join(root, 'mediasoup-worker', `${version}-${hash}`, 'mediasoup-worker');
}

/** The worker to use (see the order above); never throws. */
export async function findMediasoupWorker(env: NodeJS.ProcessEnv = process.env): Promise<MediasoupWorker> {
  const pkg = mediasoupPackage();
  if ('error' in pkg) return { ok: false, reason: pkg.error };
  const fromEnv = env.MEDIASOUP_WORKER_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) return { ok: false, reason: `MEDIASOUP_WORKER_BIN=${fromEnv} does not exist` };
    if (!statSync(fromEnv).isFile() || !executable(fromEnv)) return { ok: false, reason: `MEDIASOUP_WORKER_BIN=${fromEnv} is not an executable file` };
    return { ok: true, bin: fromEnv, version: pkg.version, source: 'MEDIASOUP_WORKER_BIN' };
  }
  const looked: string[] = [];
  if (existsSync(RECIPE_DIR)) {
    const hash = recipeHash();
    for (const root of cacheRoots(env)) {
      const bin = cachedWorkerPath(root, pkg.version, hash);
      if (executable(bin)) return { ok: true, bin, version: pkg.version, source: 'npm run setup build cache, scripts/mediasoup-worker/build.sh' };
      looked.push(bin);
    }
  }
  const own = join(pkg.dir, 'worker', 'out', env.MEDIASOUP_BUILDTYPE === 'Debug' ? 'Debug' : 'Release', 'mediasoup-worker');
  if (executable(own)) return { ok: true, bin: own, version: pkg.version, source: 'mediasoup package' };
  looked.push(own);
  return { ok: false, reason: `mediasoup ${pkg.version} is installed but no worker binary was found (looked for MEDIASOUP_WORKER_BIN, ${looked.join(', ')})` };
}

type Mediasoup = typeof import('mediasoup');

/**
 * Imports mediasoup so that it spawns `bin`: mediasoup takes its worker path from MEDIASOUP_WORKER_BIN once, at its
 * first import, so the variable is set before that (child processes inherit it, which is what they would need too).
 */
export async function loadMediasoup(bin: string): Promise<Mediasoup> {
  if (!process.env.MEDIASOUP_WORKER_BIN) process.env.MEDIASOUP_WORKER_BIN = bin;
  const mediasoup = await import('mediasoup');
  if (mediasoup.workerBin !== bin) {
    throw new MediasoupLoadError(`mediasoup in this process already uses the worker ${mediasoup.workerBin}, not ${bin}; set MEDIASOUP_WORKER_BIN to one of them`);
  }
  return mediasoup;
}

/**
 * Proves the worker runs: starts it, creates a router (the worker answers over its channel), closes it. Returns what
 * `lab doctor` prints; throws with the worker's own message when it cannot start.
 */
export async function startMediasoupWorker(found: Extract<MediasoupWorker, { ok: true }>): Promise<string> {
  const mediasoup = await loadMediasoup(found.bin);
  const began = performance.now();
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  try {
    const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1 } }] });
    const ms = Math.round(performance.now() - began);
    return `mediasoup ${found.version}, worker ${found.bin} (${found.source}) started (pid ${worker.pid}, router ${router.rtpCapabilities.codecs?.length ?? 0} codecs, ${ms} ms) and closed`;
  } finally {
    worker.close(); // sends SIGTERM; wait until the process is gone
    for (let i = 0; i < 100 && isAlive(worker.pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
