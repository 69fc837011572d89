import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { VIEWER_BROWSER_ENV } from '../../harness/browser/viewer-browser-env.ts';
import { runLab } from '../support/lab-cli.ts';

/**
 * A real run (ffmpeg, werift, Chromium ×2) with two WebRTC viewers of one path; viewer v1 runs in a Chromium whose
 * wall clock Debian's libfaketime shifts by +5 s (every Chromium process inherits LD_PRELOAD and FAKETIME). The
 * lab's NTP-style estimate over HTTP must recover the shift, and the shifted viewer's corrected latency must match
 * its unshifted neighbour's. Needs the `libfaketime` package; run it under the heavy-job lock.
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
const dir = mkdtempSync(join(tmpdir(), 'lab-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!FAKETIME_LIB)('clock offset per viewer', () => {
  it('recovers a +5 s clock shift within ±2 ms and corrects that viewer’s latency to its neighbour’s', async () => {
    const out = join(dir, 'run');
    process.env[VIEWER_BROWSER_ENV] = JSON.stringify({ 'webrtc/v1': { LD_PRELOAD: FAKETIME_LIB, FAKETIME: '+5s' } });
    const result = await runLab(['run', 'test/fixtures/clock-offset-e2e.yaml', '--out', out]).finally(() => delete process.env[VIEWER_BROWSER_ENV]);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const [local, shifted] = results.paths[0]!.viewers;
    // The page's clock runs 5 s ahead: lab − page = −5000 ms.
    expect(Math.abs(shifted!.clockOffsetMs! + SHIFT_MS), `offset ${shifted!.clockOffsetMs}`).toBeLessThanOrEqual(2);
    expect(shifted!.clockOffsetUncertaintyMs!).toBeLessThanOrEqual(5);
    expect(shifted!.clock!.estimates).toBeGreaterThanOrEqual(2); // repeated through the run
    expect(Math.abs(local!.clockOffsetMs!), `local offset ${local!.clockOffsetMs}`).toBeLessThanOrEqual(2);
    // The lab's own Chromium reads the lab's clock: its estimate is a check, never withholds anything.
    expect(local!.clock!.applied).toBe(false);
    expect(local!.clockUncertain).toBe(false);
    // The shifted one is corrected; while an estimate is less certain than 5 ms (a busy start on a loaded machine)
    // its frames are withheld, never guessed: most of the window must still be measured.
    expect(shifted!.clock!.applied).toBe(true);
    expect(shifted!.clock!.framesWithheld, JSON.stringify(shifted!.clock)).toBeLessThan(shifted!.framesMeasured / 3);
    for (const viewer of [local!, shifted!]) {
      expect(viewer.framesMeasured).toBeGreaterThan(60);
      expect(viewer.latencyMs!.min).toBeGreaterThan(0); // a latency below zero is an instrument bug
    }
    const gap = Math.abs(shifted!.latencyMs!.p50 - local!.latencyMs!.p50);
    console.log(`clock e2e: offset ${shifted!.clockOffsetMs} ± ${shifted!.clockOffsetUncertaintyMs} ms; p50 ${shifted!.latencyMs!.p50} (shifted) vs ${local!.latencyMs!.p50} ms`);
    expect(gap, `p50 ${shifted!.latencyMs!.p50} vs ${local!.latencyMs!.p50}`).toBeLessThan(VIEWER_SPREAD_MS);
  }, 240_000);
});
