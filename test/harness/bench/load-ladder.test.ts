import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/errors.ts';
import { climbLadder, ladderMarkdown, ladderSvg, parseLadder, rungScenario, stopReason, type LadderRung } from '../../../harness/bench/load-ladder.ts';
import { stepScenario } from '../../../harness/bench/bench-command.ts';

/** The load ladder's logic (no browser): its rungs, where it stops and why, its table and chart. */

const rung = (loadViewers: number, verdict: LadderRung['verdict'], extra: Partial<LadderRung> = {}): LadderRung => ({
  loadViewers, glassP50Ms: 36 + loadViewers / 2, glassP95Ms: 39 + loadViewers / 2, glassFps: 29.9, serverCpuPercent: 10 + loadViewers / 5,
  workersCpuPercent: loadViewers ? 40 : null, connected: loadViewers || null, receiving: loadViewers || null, verdict, reasons: verdict === 'degraded' ? ['frames-missing'] : [], loadAverage: 3.2, ...extra,
});

describe('the load ladder', () => {
  it('takes rising whole counts and refuses anything else, naming the value', () => {
    expect(parseLadder('0,10,50,100,200,500')).toEqual([0, 10, 50, 100, 200, 500]);
    expect(parseLadder(' 5 ')).toEqual([5]);
    expect(() => parseLadder('0,ten')).toThrow(/--ladder: "ten" is not a number of load viewers; allowed: whole numbers 0–1000/);
    expect(() => parseLadder('0,50,10')).toThrow(/--ladder: 10 after 50: the rungs must rise/);
    expect(() => parseLadder('2000')).toThrow(UsageError);
    expect(() => parseLadder('')).toThrow(UsageError);
  });

  it('builds a rung scenario the lab accepts: one glass viewer and N load viewers on one path', () => {
    const webrtc = stepScenario(rungScenario('webrtc', 200, 250, 10));
    expect(webrtc.paths).toHaveLength(1);
    expect(webrtc.paths[0]).toMatchObject({ kind: 'webrtc', loadViewers: 200 });
    expect(webrtc.video.bitrateKbps).toBe(250);
    expect(stepScenario(rungScenario('hls', 0, 250, 10)).paths[0]).not.toHaveProperty('loadViewers');
  });

  it('stops at the first degraded or failed rung, says why, and lists the rungs it did not run', async () => {
    const verdicts: Record<number, LadderRung> = { 0: rung(0, 'valid'), 10: rung(10, 'valid'), 50: rung(50, 'degraded'), 100: rung(100, 'valid') };
    const ran: number[] = [];
    const ladder = await climbLadder('webrtc', 250, [0, 10, 50, 100], async (n) => (ran.push(n), verdicts[n]!));
    expect(ran).toEqual([0, 10, 50]); // a valid rung above a degraded one would be luck, not capacity
    expect(ladder.stoppedAt).toEqual({ loadViewers: 50, reason: 'degraded (frames-missing)' });
    expect(ladder.skipped).toEqual([100]);
    const failed = await climbLadder('hls', 250, [0, 10], async (n) => rung(n, null, n ? { error: 'run failed: no frame within 20 s' } : { verdict: 'valid' }));
    expect(failed.stoppedAt).toEqual({ loadViewers: 10, reason: 'run failed: no frame within 20 s' });
    const all = await climbLadder('webrtc', 250, [0, 10], async (n) => rung(n, 'valid'));
    expect(all.stoppedAt).toBeNull();
    expect(stopReason(rung(0, null))).toBe('no validity verdict');
  });

  it('writes a table with every rung and a chart of glass latency and server CPU', async () => {
    const ladder = await climbLadder('webrtc', 250, [0, 50, 100], async (n) => rung(n, n === 100 ? 'degraded' : 'valid'));
    const md = ladderMarkdown(ladder);
    expect(md).toContain('Stopped at 100 load viewers: degraded (frames-missing).');
    expect(md).toContain('| 50 | 61 ms | 64 ms | 29.9 | 50 / 50 | 20 % | 40 % | valid | 3.2 |');
    expect(md).toContain('![glass latency and server CPU per rung](ladder.svg)');
    const svg = ladderSvg(ladder);
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('>100*</text>');
  });
});
