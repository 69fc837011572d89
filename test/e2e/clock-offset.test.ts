import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { probeNetwork } from '../../harness/network/network-capabilities.ts';
import { labDefaults } from '../../core/defaults.ts';
import { findBrowser } from '../../core/find-programs.ts';
import { ROOT, startLab } from '../support/lab-cli.ts';

/**
 * A real run (ffmpeg, werift, two Chromiums) with two WebRTC viewers of one path, v0 in the lab's own Chromium and
 * v1 in a REMOTE one: a Chromium the test starts inside a network namespace of its own (ip netns + veth), its wall
 * clock shifted by +5 s with Debian's libfaketime, its 127.0.0.1-only debugging port behind a small TCP forwarder on
 * the namespace's veth address; the lab reaches it with `--browser http://…` and serves the page on `--listen`
 * (the veth's host end). The NTP-style estimate must recover the shift, the remote viewer's corrected latency must
 * match the local one's, a stranger without the viewer's token must be refused, and the lab must leave no page open
 * on the remote browser. Needs root, `ip` and `libfaketime`; run it under the heavy-job lock.
 *
 * The path's third viewer, v2, runs in BROWSERLESS (scripts/browserless/install.sh, run by `npm run setup` and CI),
 * which the test starts in the same namespace with a token: `--browser ws://<ns addr>:3000/chromium?token=…`. It must
 * be timed like the local viewer, a connection without the token must get 401, browserless must end its Chromium when
 * the lab disconnects, and nothing (browserless, its Chromium, the namespace) may be left in any ending. Without a
 * browserless install v2 runs in the lab's Chromium and the browserless test is skipped, saying why.
 */
/** Debian's libfaketime, wherever the architecture puts it (scripts/setup-system.sh installs it as an optional extra). */
const FAKETIME_LIB = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((arch) => `/usr/lib/${arch}/faketime/libfaketime.so.1`).find((p) => existsSync(p)) ?? '';
const SHIFT_MS = 5000;
/**
 * Both viewers show the same frames on the same path, but each Chromium's jitter buffer settles on its own, by whole
 * refreshes (docs/ci-gate.md measured 22–61 ms between runs of one WebRTC path): their medians may differ by up to
 * three refreshes. Uncorrected, the gap would be 5000 ms.
 */
const VIEWER_SPREAD_MS = 3 * (1000 / 60);
/** The same on a run the lab judged degraded: a tenth of the error it guards against. */
const DEGRADED_SPREAD_MS = 500;
const caps = await probeNetwork();
const reason = process.getuid?.() !== 0 ? 'not running as root' : !caps.available ? caps.detail : !FAKETIME_LIB ? 'libfaketime not installed (apt-get install libfaketime)' : undefined;
if (reason) console.log(`skipping the remote-browser clock-offset run: ${reason}`);

/** Where scripts/browserless/install.sh installed browserless (the script names the folder), or why it is not there. */
function findBrowserless(): { pkg: string; routes: string; browsersPath: string } | string {
  try {
    const dir = execFileSync('bash', [join(ROOT, 'scripts/browserless/install.sh'), '--print-path'], { encoding: 'utf8' }).trim();
    const info = JSON.parse(readFileSync(join(dir, 'installed.json'), 'utf8')) as { entry: string; routes: string; browsersPath: string };
    return { pkg: join(dir, info.entry, '..', '..'), routes: join(dir, info.routes), browsersPath: join(dir, info.browsersPath) };
  } catch {
    return 'browserless is not installed (npm run setup, or bash scripts/browserless/install.sh)';
  }
}
const browserless = reason ? reason : findBrowserless();
const BL_PORT = 3000;
const BL_TOKEN = randomBytes(16).toString('hex');

const dir = mkdtempSync(join(tmpdir(), 'lab-clock-'));
const tag = `lc${process.pid % 100000}`; // interface names ≤ 15 characters, none of the lab's own prefixes
const ns = `${tag}-n`;
const subnet = `10.231.${process.pid % 250}`; // outside the lab's 10.213.0.0/16 pool
const HOST = `${subnet}.1`;
const REMOTE = `${subnet}.2`;
const started: ChildProcess[] = [];
const blTmp = join(dir, 'browserless-tmp'); // browserless's TMPDIR: its Chromiums' profiles, named in their command lines

/** A TCP forwarder (runs in the namespace): the veth address's port 9223 → Chromium's 127.0.0.1:9222. */
const FORWARDER = `const net = require('net');
net.createServer((c) => { const u = net.connect(9222, '127.0.0.1'); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(9223, process.argv[1]);`;

function inNamespace(args: string[], env: Record<string, string> = {}, cwd?: string, log?: string): ChildProcess {
  const out = log ? openSync(log, 'w') : 'ignore';
  const child = spawn('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args], { detached: true, stdio: ['ignore', out, out], cwd });
  started.push(child);
  return child;
}

async function remoteJson<T>(path: string, port = 9223): Promise<T | undefined> {
  try {
    const res = await fetch(`http://${REMOTE}:${port}${path}`, { signal: AbortSignal.timeout(1000) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A WebSocket handshake on browserless: 101 if it would open a session, else the status it refused with. */
function handshake(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') };
    const req = httpRequest({ host: REMOTE, port: BL_PORT, path, headers, timeout: 5000 });
    req.on('upgrade', (_res, socket) => (socket.destroy(), resolve(101)));
    req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Processes in the namespace (the remote Chromium, the forwarder, browserless and its Chromiums); [] once it is gone. */
function namespacePids(): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
/** A process that still runs (a zombie waiting for its parent to reap it runs nothing). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
/** Command lines of running processes whose command line names `fragment`. */
function processesNaming(fragment: string, pids: number[] = namespacePids()): string[] {
  return pids.filter(running).map((pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return ''; } }).filter((c) => c.includes(fragment));
}

/** Ends everything the test started — every process in the namespace, whoever its parent — and the namespace. Idempotent. */
async function teardown(): Promise<number[]> {
  const pids = namespacePids();
  for (const pid of [...started.map((c) => -c.pid!), ...pids]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const end = Date.now() + 10_000;
  while (pids.some(running) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  try {
    if (!reason) execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' }); // takes the veth pair with it
  } catch {
    // never created, or already deleted
  }
  rmSync(dir, { recursive: true, force: true });
  return pids;
}
afterAll(teardown, 20_000);

/** What the run left for the browserless test to judge. */
let outcome: { results: Results; stranger: number; wrongToken: number; sessionsDuring: number; chromiumsAfter: string[] } | undefined;

describe.skipIf(reason !== undefined)('clock offset per viewer, remote browser', () => {
  it('recovers a +5 s clock shift within ±2 ms on a remote Chromium, refuses a stranger, leaves no page', async () => {
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
    ip('netns', 'add', ns);
    ip('link', 'add', `${tag}-h`, 'type', 'veth', 'peer', 'name', `${tag}-v`, 'netns', ns);
    ip('addr', 'add', `${HOST}/30`, 'dev', `${tag}-h`);
    ip('link', 'set', `${tag}-h`, 'up');
    ip('-n', ns, 'addr', 'add', `${REMOTE}/30`, 'dev', `${tag}-v`);
    ip('-n', ns, 'link', 'set', `${tag}-v`, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'route', 'add', 'default', 'dev', `${tag}-v`); // Chromium gathers ICE candidates on the default route's interface only
    const chromium = (await findBrowser()).path;
    const profile = join(dir, 'remote-profile');
    inNamespace([chromium, '--headless', '--remote-debugging-port=9222', `--user-data-dir=${profile}`, ...labDefaults.chromiumArgs, 'about:blank'], { LD_PRELOAD: FAKETIME_LIB, FAKETIME: '+5s' });
    inNamespace([process.execPath, '-e', FORWARDER, REMOTE]);
    const browsers = ['--browser', 'local', '--browser', `http://${REMOTE}:9223`];
    let stranger = 0;
    let wrongToken = 0;
    if (typeof browserless !== 'string') {
      // browserless in the same namespace, on its address, with a token; at most 2 Chromiums, none queued; its sessions
      // may outlive the run (TIMEOUT), its Chromiums' profiles go under blTmp (named in their command lines).
      mkdirSync(blTmp);
      const env = { HOST: REMOTE, PORT: String(BL_PORT), TOKEN: BL_TOKEN, CONCURRENT: '2', QUEUED: '0', TIMEOUT: '120000', ROUTES: browserless.routes, PLAYWRIGHT_BROWSERS_PATH: browserless.browsersPath, TMPDIR: blTmp };
      inNamespace([process.execPath, 'build/index.js'], env, browserless.pkg, join(dir, 'browserless.log'));
      // The lab's Chromium flags go through browserless's `launch` parameter (docs/scale.md#browserless).
      const launch = encodeURIComponent(JSON.stringify({ args: labDefaults.chromiumArgs }));
      browsers.push('--browser', `ws://${REMOTE}:${BL_PORT}/chromium?token=${BL_TOKEN}&launch=${launch}`);
    }
    await until(() => remoteJson<{ Browser: string }>('/json/version'), 20_000, 'the remote Chromium behind its forwarder');
    if (typeof browserless !== 'string') {
      await until(() => remoteJson<object>(`/pressure?token=${BL_TOKEN}`, BL_PORT), 30_000, `browserless on ${REMOTE}:${BL_PORT} (log: ${join(dir, 'browserless.log')})`);
      stranger = await handshake('/chromium'); // a CDP connection without the token
      wrongToken = await handshake('/chromium?token=not-the-token');
    }

    const out = join(dir, 'run');
    const run = startLab(['run', 'test/fixtures/clock-offset-e2e.yaml', '--out', out, ...browsers, '--listen', HOST]);
    // While the run is up: the remote page's origin is on the --listen address; a stranger there gets no WebRTC session.
    type Target = { type: string; url: string };
    const page = await until(async () => (await remoteJson<Target[]>('/json/list'))?.find((t) => t.url.includes('/player/webrtc/')), 60_000, 'the lab’s page on the remote Chromium');
    const origin = new URL(page.url).origin;
    expect(new URL(origin).hostname).toBe(HOST); // no 127.0.0.1 URL handed to a remote page
    const whep = (auth?: string) => fetch(`${origin}/whep/webrtc/v1`, { method: 'POST', headers: { 'content-type': 'application/sdp', ...(auth ? { authorization: auth } : {}) }, body: 'v=0\r\n' }).then((r) => r.status);
    expect(await whep()).toBe(401);
    expect(await whep('Bearer not-the-viewers-token')).toBe(403);
    // browserless runs a session for v2 (its own Chromium) while the run is up.
    const sessionsDuring = typeof browserless === 'string' ? 0 : (await until(async () => ((await remoteJson<unknown[]>(`/sessions?token=${BL_TOKEN}`, BL_PORT))?.length || undefined), 60_000, 'a browserless session').catch(() => 0));

    const result = await run.done;
    // The lab disconnected from browserless: it must end that session and its Chromium (checked in the test below).
    let chromiumsAfter: string[] = [];
    if (typeof browserless !== 'string') {
      await until(async () => ((await remoteJson<unknown[]>(`/sessions?token=${BL_TOKEN}`, BL_PORT))?.length === 0 ? true : undefined), 15_000, 'browserless to end its session').catch(() => undefined);
      const end = Date.now() + 15_000;
      while ((chromiumsAfter = processesNaming(blTmp)).length && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    }
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    outcome = { results, stranger, wrongToken, sessionsDuring, chromiumsAfter };
    expect(result.stderr).toMatch(/warning: .*10\.231\.\d+\.1 too \(--listen\)/);
    // The lab closed its context on the remote browser: no page of the lab's is left there (the browser is the test's).
    const left = (await remoteJson<Target[]>('/json/list')) ?? [];
    expect(left.filter((t) => t.type === 'page' && t.url.startsWith(origin))).toEqual([]);

    const [local, remote] = results.paths[0]!.viewers;
    for (const v of [local, remote]) expect(v!.latencyMs, `viewer ${v!.viewer}: ${v!.framesMeasured} frames, ${v!.error ?? 'no error'}; ${result.stderr.slice(-1500)}`).toBeTruthy();
    console.log(`clock e2e: offset ${remote!.clockOffsetMs} ± ${remote!.clockOffsetUncertaintyMs} ms; p50 ${remote!.latencyMs!.p50} (remote) vs ${local!.latencyMs!.p50} ms; run ${results.validity?.verdict}`);
    // The remote page's clock runs 5 s ahead: lab − page = −5000 ms.
    // Within ±2 ms (the issue's bound) on a run the lab judged valid. On a saturated machine the exchanges' round
    // trips grow, and the estimate may miss by more — but never by more than its own stated uncertainty (± RTT/2 of
    // the samples it kept), which is what the lab promises there.
    const offsetBound = (v: typeof remote) => (results.validity?.verdict === 'valid' ? 2 : Math.max(2, v!.clockOffsetUncertaintyMs!));
    expect(Math.abs(remote!.clockOffsetMs! + SHIFT_MS), `offset ${remote!.clockOffsetMs} ± ${remote!.clockOffsetUncertaintyMs}`).toBeLessThanOrEqual(offsetBound(remote));
    expect(remote!.clockOffsetUncertaintyMs!).toBeLessThanOrEqual(5);
    expect(remote!.clock!.estimates).toBeGreaterThanOrEqual(2); // repeated through the run
    expect(Math.abs(local!.clockOffsetMs!), `local offset ${local!.clockOffsetMs} ± ${local!.clockOffsetUncertaintyMs}`).toBeLessThanOrEqual(offsetBound(local));
    // The lab's own Chromium reads the lab's clock: its estimate is a check, never withholds anything.
    expect(local!.clock!.applied).toBe(false);
    expect(local!.clockUncertain).toBe(false);
    // A remote browser always has a clock of its own: corrected; while an estimate is less certain than 5 ms (a busy
    // start on a loaded machine) its frames are withheld, never guessed: most of the window must still be measured.
    expect(remote!.clock!.applied).toBe(true);
    expect(remote!.clock!.framesWithheld, JSON.stringify(remote!.clock)).toBeLessThan(remote!.framesMeasured / 3);
    for (const viewer of [local!, remote!]) {
      expect(viewer.framesMeasured).toBeGreaterThan(60);
      expect(viewer.latencyMs!.min).toBeGreaterThan(0); // a latency below zero is an instrument bug
    }
    // On a degraded run each viewer's jitter buffer answers the machine's stalls on its own (a CI run: remote 18.8 ms,
    // local 74.5 ms, the local Chromium's viewer at 27 fps): the gap is then held to a bound that still catches a
    // wrong correction by far (uncorrected it is 5000 ms).
    const gap = Math.abs(remote!.latencyMs!.p50 - local!.latencyMs!.p50);
    const spread = results.validity?.verdict === 'valid' ? VIEWER_SPREAD_MS : DEGRADED_SPREAD_MS;
    expect(gap, `p50 ${remote!.latencyMs!.p50} vs ${local!.latencyMs!.p50}, run ${results.validity?.verdict}`).toBeLessThan(spread);
  }, 240_000);

  const skipped = typeof browserless === 'string' ? ` — skipped: ${browserless}` : '';
  it.skipIf(skipped !== '')(`a browserless in the namespace times v2 like the local viewer, refuses a connection without its token, ends its Chromium${skipped}`, () => {
    expect(outcome, 'the run above did not complete').toBeDefined();
    const { results, stranger, wrongToken, sessionsDuring, chromiumsAfter } = outcome!;
    expect(stranger).toBe(401);
    expect(wrongToken).toBe(401); // nor with another token
    expect(sessionsDuring).toBeGreaterThanOrEqual(1);
    expect(chromiumsAfter, 'browserless Chromiums still running after the lab disconnected').toEqual([]);
    const [local, , viewer] = results.paths[0]!.viewers;
    // A remote viewer: its estimate is applied. Same kernel clock, so the true offset is 0, and an NTP-style estimate
    // is never further from the truth than its own uncertainty (half the round trip + the clock's resolution).
    expect(viewer!.clock!.applied).toBe(true);
    expect(Math.abs(viewer!.clockOffsetMs!), `offset ${viewer!.clockOffsetMs} ± ${viewer!.clockOffsetUncertaintyMs}`).toBeLessThanOrEqual(viewer!.clockOffsetUncertaintyMs!);
    expect(viewer!.clock!.framesWithheld, JSON.stringify(viewer!.clock)).toBeLessThan(viewer!.framesMeasured / 3);
    expect(viewer!.framesMeasured).toBeGreaterThan(60);
    expect(viewer!.latencyMs!.min).toBeGreaterThan(0);
    const verdict = results.validity?.verdict;
    console.log(`clock e2e, browserless: p50 ${viewer!.latencyMs!.p50} vs ${local!.latencyMs!.p50} ms (local), offset ${viewer!.clockOffsetMs} ± ${viewer!.clockOffsetUncertaintyMs} ms, ${viewer!.framesMeasured} frames, run ${verdict}${verdict === 'degraded' ? ` (${results.validity!.reasons.map((r) => r.code).join(', ')})` : ''}`);
    // Comparable only on a valid run (a degraded one says the machine could not keep real time): the same frames of
    // the same path in another Chromium, whose jitter buffer settles on its own, by whole refreshes (as v1 above).
    if (verdict === 'valid') expect(Math.abs(viewer!.latencyMs!.p50 - local!.latencyMs!.p50)).toBeLessThan(VIEWER_SPREAD_MS);
  });

  it('leaves nothing running: the remote Chromium, the forwarder, browserless and its Chromiums, the namespace', async () => {
    const pids = await teardown();
    expect(pids.length).toBeGreaterThanOrEqual(2); // it did find what it started
    expect(pids.filter(running)).toEqual([]);
    const everyPid = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
    expect(processesNaming(dir, everyPid), 'processes naming the test folder, anywhere on the host').toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(new RegExp(`^${ns}\\b`, 'm'));
  }, 30_000);
});
