import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JoinSummary, Results } from '../../harness/results/types.ts';
import { runLab } from '../support/lab-cli.ts';

/**
 * A real run (ffmpeg, werift, coturn, Chromium) with two WebRTC viewers, one direct and one through the loopback
 * TURN server: each viewer's join timeline is in results.json, its steps come in causal order, its phases add up to
 * the first frame, and the selected candidate pair is host → host and relay → host. Run it under the heavy-job lock.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-join-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two page-clock mappings (the recorder's and the probe's) may differ by a whole ms (Date.now() floors). */
const CLOCK_SLACK_MS = 1;

function expectOrdered(joinTimeline: JoinSummary, steps: Array<keyof JoinSummary['atMs']>): void {
  for (let i = 1; i < steps.length; i++) {
    const before = joinTimeline.atMs[steps[i - 1]!];
    const after = joinTimeline.atMs[steps[i]!];
    expect(before, `${steps[i - 1]} reached`).toBeDefined();
    expect(after, `${steps[i]} reached`).toBeDefined();
    expect(after! + CLOCK_SLACK_MS, `${steps[i - 1]} (${before}) ≤ ${steps[i]} (${after})`).toBeGreaterThanOrEqual(before!);
  }
}

describe('the join timeline of WebRTC viewers', () => {
  it('times every step of a direct and a TURN-relayed join, in order, adding up to the first frame', async () => {
    const out = join(dir, 'run');
    const result = await runLab(['run', 'test/fixtures/join-e2e.yaml', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const pairs: Record<string, string> = {};
    for (const path of results.paths) {
      const viewer = path.viewers[0]!;
      const timeline = viewer.join as JoinSummary | undefined;
      expect(timeline, `${path.id} has a join timeline`).toBeDefined();
      expect(timeline!.connection.state).toBe('connected');
      expect(timeline!.trickle).toBe(false);
      expectOrdered(timeline!, ['signalSent', 'offerReceived', 'answerSent']);
      // Over WHEP (werift) the relay answers and starts its checks before the page has read the 201: ICE may be
      // checking before offerReceived, never before the page's offer went out (signalSent).
      expectOrdered(timeline!, ['signalSent', 'iceChecking', 'iceConnected', 'dtlsConnected', 'firstRtp', 'firstFrameReceived', 'firstDecoded', 'firstFrame']);
      const sum = Object.values(timeline!.phasesMs).reduce<number>((a, b) => a + (b ?? 0), 0);
      expect(Object.values(timeline!.phasesMs).every((p) => p !== null && p >= 0)).toBe(true);
      expect(Math.abs(sum - viewer.firstFrameMs!)).toBeLessThanOrEqual(1);
      expect(timeline!.candidates.some((c) => c.side === 'remote' && c.type === 'host')).toBe(true);
      const pair = timeline!.selectedPair!;
      pairs[path.id] = `${pair.local}→${pair.remote}/${pair.protocol}`;
    }
    expect(pairs).toEqual({ 'webrtc-direct': 'host→host/udp', 'webrtc-turn': 'relay→host/udp' });
    const turn = results.paths.find((p) => p.id === 'webrtc-turn')!.viewers[0]!.join! as JoinSummary;
    expect(turn.candidates.filter((c) => c.side === 'local').every((c) => c.type === 'relay')).toBe(true);
    expect(turn.selectedPair!.relayProtocol).toBe('udp');
  }, 240_000);
});
