import { describe, expect, it } from 'vitest';
import { benchMarkdown, benchSchema, benchTargets, ladderCapacity, type ScalingStep } from '../../../harness/bench/bench-report.ts';

/** Where the bench's ladder stopped holding, and what it records as this machine's capacity. */

const step = (viewersPerPath: number, holds: boolean, extra: Partial<ScalingStep> = {}): ScalingStep => ({
  viewersPerPath, minFps: holds ? 29.8 : 24.1, paths: [], cpu: {}, pacingP99Ms: 2, verdict: holds ? 'valid' : 'degraded', reasons: holds ? [] : ['cpu-busy', 'fps-low'], holds, ...extra,
});

describe('the bench ladder', () => {
  it('records the largest step held with every smaller one holding, and the first that did not', () => {
    expect(ladderCapacity([step(1, true), step(2, true), step(4, true), step(6, false), step(8, false)])).toEqual({ maxViewers: 4, firstFailing: 6 });
    // A step that holds above a failing one is luck, not capacity.
    expect(ladderCapacity([step(1, true), step(2, false), step(4, true), step(6, false)])).toEqual({ maxViewers: 1, firstFailing: 2 });
    expect(ladderCapacity([step(1, true), step(2, true)])).toEqual({ maxViewers: 2, firstFailing: null });
    expect(ladderCapacity([step(1, false)])).toEqual({ maxViewers: 0, firstFailing: 1 });
  });

  it('says in bench.md where it stopped holding, and why each step did not hold', () => {
    const steps = [step(1, true), step(2, true), step(4, false), step(6, false, { error: 'run failed: no frame within 20 s' })];
    const partial = {
      schemaVersion: 1 as const, quick: true, startedAt: '2025-01-01T00:00:00Z',
      machine: { cpus: 2, model: 'm', memoryGiB: 4, node: 'v20', browser: 'c', ffmpeg: 'f' },
      probe: { msPerFrame: { p50: 0.2, p99: 1 }, framesMeasuredRatio: 0.99 },
      source: { pacingJitterP99Ms: 1, driftMsPerMin: 0 },
      scaling: { steps, ...ladderCapacity(steps) },
      overhead: { wallSeconds: 5, runWallSeconds: 40, durationSeconds: 30, joinWaitSeconds: 5 },
      memory: { soakMinutes: 0, rssGrowthMbPerHour: null },
    };
    const report = benchSchema.parse({ ...partial, targets: benchTargets(partial) });
    const md = benchMarkdown(report);
    expect(md).toContain('Scaling (HLS 1 s + WebRTC, 360p30): held up to 2 viewers per path; stopped holding at 4 per path.');
    expect(md).toMatch(/\| 4 \| 24\.1 \| .* \| degraded \(cpu-busy, fps-low\) \| ✗ \|/);
    expect(md).toMatch(/\| 6 \| .* \| degraded \(cpu-busy, fps-low\); run failed: no frame within 20 s \| ✗ \|/);
  });
});
