import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { probeNetwork } from '../../harness/network/network-capabilities.ts';
import { labDefaults } from '../../core/defaults.ts';
import { findBrowser } from '../../core/find-programs.ts';
import { startLab } from '../support/lab-cli.ts';

/**
 * A real run (ffmpeg, werift, two Chromiums) with two WebRTC viewers of one path, v0 in the lab's own Chromium and
 * v1 in a REMOTE one: a Chromium the test starts inside a network namespace of its own (ip netns + veth), its wall
 * clock shifted by +5 s with Debian's libfaketime, its 127.0.0.1-only debugging port behind a small TCP forwarder on
 * the namespace's veth address; the lab reaches it with `--browser http://…` and serves the page on `--listen`
 * (the veth's host end). The NTP-style estimate must recover the shift, the remote viewer's corrected latency must
 * match the local one's, a stranger without the viewer's token must be refused, and the lab must leave no page open
 * on the remote browser. Needs root, `ip` and `libfaketime`; run it under the heavy-job lock.
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
const caps = await probeNetwork();
const reason = process.getuid?.() !== 0 ? 'not running as root' : !caps.available ? caps.detail : !FAKETIME_LIB ? 'libfaketime not installed (apt-get install libfaketime)' : undefined;
if (reason) console.log(`skipping the remote-browser clock-offset run: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'lab-clock-'));
const tag = `lc${process.pid % 100000}`; // interface names ≤ 15 characters, none of the lab's own prefixes
const ns = `${tag}-n`;
const subnet = `10.231.${process.pid % 250}`; // outside the lab's 10.213.0.0/16 pool
const HOST = `${subnet}.1`;
const REMOTE = `${subnet}.2`;
const started: ChildProcess[] = [];

/** A TCP forwarder (runs in the namespace): the veth address's port 9223 → Chromium's 127.0.0.1:9222. */
const FORWARDER = `const net = require('net');
net.createServer((c) => { const u = net.connect(9222, '127.0.0.1'); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(9223, process.argv[1]);`;

function inNamespace(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args], { detached: true, stdio: 'ignore' });
  started.push(child);
  return child;
}

async function remoteJson<T>(path: string): Promise<T | undefined> {
  try {
    const res = await fetch(`http://${REMOTE}:9223${path}`, { signal: AbortSignal.timeout(1000) });
    return (await res.json()) as T;
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

afterAll(() => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    if (!reason) execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' }); // takes the veth pair with it
  } catch {
    // never created
  }
  rmSync(dir, { recursive: true, force: true });
});

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
    await until(() => remoteJson<{ Browser: string }>('/json/version'), 20_000, 'the remote Chromium behind its forwarder');

    const out = join(dir, 'run');
    const run = startLab(['run', 'test/fixtures/clock-offset-e2e.yaml', '--out', out, '--browser', 'local', '--browser', `http://${REMOTE}:9223`, '--listen', HOST]);
    // While the run is up: the remote page's origin is on the --listen address; a stranger there gets no WebRTC session.
    type Target = { type: string; url: string };
    const page = await until(async () => (await remoteJson<Target[]>('/json/list'))?.find((t) => t.url.includes('/player/webrtc/')), 60_000, 'the lab’s page on the remote Chromium');
    const origin = new URL(page.url).origin;
    expect(new URL(origin).hostname).toBe(HOST); // no 127.0.0.1 URL handed to a remote page
    const whep = (auth?: string) => fetch(`${origin}/whep/webrtc/v1`, { method: 'POST', headers: { 'content-type': 'application/sdp', ...(auth ? { authorization: auth } : {}) }, body: 'v=0\r\n' }).then((r) => r.status);
    expect(await whep()).toBe(401);
    expect(await whep('Bearer not-the-viewers-token')).toBe(403);

    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: .*10\.231\.\d+\.1 too \(--listen\)/);
    // The lab closed its context on the remote browser: no page of the lab's is left there (the browser is the test's).
    const left = (await remoteJson<Target[]>('/json/list')) ?? [];
    expect(left.filter((t) => t.type === 'page' && t.url.startsWith(origin))).toEqual([]);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const [local, remote] = results.paths[0]!.viewers;
    // The remote page's clock runs 5 s ahead: lab − page = −5000 ms.
    expect(Math.abs(remote!.clockOffsetMs! + SHIFT_MS), `offset ${remote!.clockOffsetMs}`).toBeLessThanOrEqual(2);
    expect(remote!.clockOffsetUncertaintyMs!).toBeLessThanOrEqual(5);
    expect(remote!.clock!.estimates).toBeGreaterThanOrEqual(2); // repeated through the run
    expect(Math.abs(local!.clockOffsetMs!), `local offset ${local!.clockOffsetMs}`).toBeLessThanOrEqual(2);
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
    const gap = Math.abs(remote!.latencyMs!.p50 - local!.latencyMs!.p50);
    console.log(`clock e2e: offset ${remote!.clockOffsetMs} ± ${remote!.clockOffsetUncertaintyMs} ms; p50 ${remote!.latencyMs!.p50} (remote) vs ${local!.latencyMs!.p50} ms`);
    expect(gap, `p50 ${remote!.latencyMs!.p50} vs ${local!.latencyMs!.p50}`).toBeLessThan(VIEWER_SPREAD_MS);
  }, 240_000);
});
