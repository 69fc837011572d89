import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchMarkdown, benchSchema, benchTargets, probeFigures, rssGrowthMbPerHour, scalingStep } from '../../../harness/bench/bench-report.ts';
import { ProcessSampler } from '../../../harness/bench/process-sampler.ts';
import type { Results } from '../../../harness/results/types.ts';
import { sharedRunDir } from '../../support/shared-run.ts';

describe('bench.json', () => {
  it('is built from real run results into the documented shape', async () => {
    const results = JSON.parse(readFileSync(join(await sharedRunDir(), 'results.json'), 'utf8')) as Results;
    const cpu = { chromium: { cpuPercent: 50, rssMbMax: 400 } };
    const one = scalingStep(1, results, cpu);
    const two = scalingStep(2, results, cpu, one);
    expect(one.minFps).toBeGreaterThan(25);
    expect(one.paths.map((p) => p.id)).toEqual(results.paths.map((p) => p.id));
    expect(two.holds).toBe(one.holds);
    const probe = probeFigures([results]);
    expect(probe.msPerFrame.p50).toBeGreaterThan(0);
    expect(probe.framesMeasuredRatio).toBeGreaterThan(0.9);
    expect(probe.framesMeasuredRatio).toBeLessThanOrEqual(1.01);
    const partial = {
      schemaVersion: 1 as const,
      quick: true,
      startedAt: results.startedAt,
      machine: { cpus: 2, model: 'x', memoryGiB: 24, node: process.version, browser: results.environment.browser.version, ffmpeg: results.environment.ffmpeg.version },
      probe,
      source: { pacingJitterP99Ms: results.source!.pacing.lateMsP99, driftMsPerMin: 0 },
      scaling: { steps: [one, two], maxViewers: 2, firstFailing: null },
      overhead: { wallSeconds: 5, runWallSeconds: 25, durationSeconds: 10, joinWaitSeconds: 10 },
      memory: { soakMinutes: 0, rssGrowthMbPerHour: null },
    };
    const report = benchSchema.parse({ ...partial, targets: benchTargets(partial) });
    expect(report.targets.find((t) => t.name === 'memory.rssGrowthMbPerHour')!.met).toBeNull();
    expect(report.targets.find((t) => t.name === 'scaling.maxViewers')!.met).toBe(false);
    expect(benchMarkdown(report)).toMatch(/\| probe\.msPerFrame\.p50 \| [\d.]+ \| < 1 ms \|/);
  });

  it('fits memory growth as a least-squares slope after the first minute', () => {
    const series = Array.from({ length: 60 }, (_, i) => ({ t: i * 10, labRssMb: 100 + (i * 10) / 3600 * 20 + (i % 2 ? 0.5 : -0.5) }));
    expect(rssGrowthMbPerHour(series)).toBeCloseTo(20, 0);
    expect(rssGrowthMbPerHour(series.slice(0, 5))).toBeNull();
  });

  it('samples this process from /proc, agreeing with process.cpuUsage()', async () => {
    const sampler = new ProcessSampler();
    const wall0 = Date.now();
    const cpu0 = process.cpuUsage();
    sampler.start(50);
    // Burn 300 ms of CPU time (not wall time: the machine may be busy with other work).
    while ((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000 < 300) Math.sqrt(Math.random());
    await new Promise((r) => setTimeout(r, 100));
    const usage = sampler.stop();
    const cpu = process.cpuUsage(cpu0);
    const expected = ((cpu.user + cpu.system) / 1000 / (Date.now() - wall0)) * 100;
    expect(Math.abs(usage['lab (node)']!.cpuPercent - expected)).toBeLessThan(15);
    expect(usage['lab (node)']!.rssMbMax).toBeGreaterThan(10);
  });
});
