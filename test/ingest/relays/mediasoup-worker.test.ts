import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../../core/process/process-registry.ts';
import { relayBackendChecks } from '../../../ingest/relays/relay-backends.ts';
import { cachedWorkerPath, cacheRoots, findMediasoupWorker, mediasoupPackage, RECIPE_DIR, recipeHash } from '../../../ingest/relays/mediasoup-worker.ts';

/**
 * Where the lab finds mediasoup's worker: the cache key it computes must be the one scripts/mediasoup-worker/build.sh
 * builds into (checked against the script itself), the lookup order holds, and `lab doctor` proves the worker by
 * starting it. The checks that need a built worker are skipped, with why in their name, where none exists.
 */
const BUILD_SH = join(RECIPE_DIR, 'build.sh');
const pkg = mediasoupPackage();
const version = 'version' in pkg ? pkg.version : 'none';

function printPath(env: NodeJS.ProcessEnv): string {
  return execFileSync('bash', [BUILD_SH, '--print-path'], { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
}

describe('the mediasoup worker cache key', () => {
  it('is the path build.sh builds into: <cache>/mediasoup-worker/<mediasoup version>-<recipe hash>/mediasoup-worker', () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-test-ms-cache-'));
    expect(version).toMatch(/^3\.\d+\.\d+$/);
    expect(printPath({ LATENCY_LAB_CACHE: root })).toBe(cachedWorkerPath(root, version));
    expect(cachedWorkerPath(root, version)).toBe(join(root, 'mediasoup-worker', `${version}-${recipeHash()}`, 'mediasoup-worker'));
    expect(cacheRoots({ LATENCY_LAB_CACHE: root })).toEqual([root]);
    expect(cacheRoots({ HOME: '/home/x' })).toEqual(['/var/cache/latency-lab', '/home/x/.cache/latency-lab']);
  });

  it('changes when any file of the recipe changes (a changed recipe is rebuilt, not reused)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'lab-test-ms-recipe-'));
    cpSync(RECIPE_DIR, copy, { recursive: true });
    const original = recipeHash(copy);
    expect(original).toBe(recipeHash());
    writeFileSync(join(copy, 'subprojects', 'libuv', 'meson.build'), '# edited\n', { flag: 'a' });
    expect(recipeHash(copy)).toMatch(/^[0-9a-f]{12}$/);
    expect(recipeHash(copy)).not.toBe(original);
  });

  it('build.sh refuses bad arguments before doing anything (exit 2, naming the argument)', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync('bash', [BUILD_SH, '--jobs', 'many'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).toMatch(/--jobs must be a positive integer, got many/);
  });
});

describe('finding the mediasoup worker', () => {
  it('MEDIASOUP_WORKER_BIN comes first and must be an executable file', async () => {
    const found = await findMediasoupWorker({ ...process.env, MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' });
    expect(found).toEqual({ ok: false, reason: 'MEDIASOUP_WORKER_BIN=/nonexistent/mediasoup-worker does not exist' });
    const notExecutable = join(mkdtempSync(join(tmpdir(), 'lab-test-ms-bin-')), 'mediasoup-worker');
    writeFileSync(notExecutable, '');
    expect(await findMediasoupWorker({ ...process.env, MEDIASOUP_WORKER_BIN: notExecutable })).toMatchObject({ ok: false, reason: expect.stringMatching(/not an executable file/) });
  });

  it('without a cached build or the package\'s own binary, says every place it looked', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lab-test-ms-empty-'));
    const found = await findMediasoupWorker({ PATH: process.env.PATH, LATENCY_LAB_CACHE: empty });
    expect(found.ok).toBe(false);
    if (!found.ok) {
      expect(found.reason).toContain(cachedWorkerPath(empty, version));
      expect(found.reason).toContain(join('mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker'));
    }
  });
});

const cached = await findMediasoupWorker({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, LATENCY_LAB_CACHE: process.env.LATENCY_LAB_CACHE });
const noBuild = cached.ok ? undefined : cached.reason;
if (noBuild) console.warn(`[mediasoup worker] build checks skipped: ${noBuild}`);

describe.skipIf(noBuild !== undefined)(`the mediasoup worker npm run setup built${noBuild ? ` — SKIPPED: ${noBuild}` : ''}`, () => {
  it('is found in the cache by itself, with no MEDIASOUP_WORKER_BIN', () => {
    expect(cached).toMatchObject({ ok: true, source: expect.stringMatching(/npm run setup/) });
    if (cached.ok) expect(cached.bin).toMatch(new RegExp(`/mediasoup-worker/${version.replace(/\./g, '\\.')}-${recipeHash()}/mediasoup-worker$`));
  });

  it('lab doctor starts it (worker + router) and leaves no worker process behind', async () => {
    const checks = await relayBackendChecks();
    const mediasoup = checks.find((c) => c.name === 'relay mediasoup')!;
    expect(mediasoup.ok, mediasoup.detail).toBe(true);
    const pid = Number(/pid (\d+)/.exec(mediasoup.detail)?.[1]);
    expect(mediasoup.detail).toMatch(/started \(pid \d+, router \d+ codecs, \d+ ms\) and closed/);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });
});
