import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { loadRun } from '../../reports/load-run.ts';
import { writeSyntheticRunDir } from './fixtures/synthetic-run.ts';

describe('loadRun', () => {
  it('reads results.json and samples.csv (latencies per path)', async () => {
    const dir = writeSyntheticRunDir({ seconds: 4 });
    const run = await loadRun(dir);
    expect(run.runDir).toBe(dir);
    expect(run.results.scenario.name).toBe('synthetic-mix');
    for (const path of run.results.paths) {
      const values = run.samples!.get(path.id)!;
      expect(values.length).toBe(path.framesMeasured);
      expect(Math.min(...values)).toBeCloseTo(path.latencyMs!.min, 1);
    }
  });

  it('accepts the results.json path and works without samples.csv', async () => {
    const dir = writeSyntheticRunDir({ seconds: 2 }, false);
    const run = await loadRun(join(dir, 'results.json'));
    expect(run.runDir).toBe(dir);
    expect(run.samples).toBeUndefined();
  });

  it('finds columns by header name and skips rows without a latency', async () => {
    const dir = writeSyntheticRunDir({ seconds: 1 }, false);
    writeFileSync(join(dir, 'samples.csv'), 'viewer,latencyMs,path,wallClockMs\n0,12.5,a,1\n0,,a,2\n1,13,b,3\r\n');
    const run = await loadRun(dir);
    expect([...run.samples!.get('a')!]).toEqual([12.5]);
    expect([...run.samples!.get('b')!]).toEqual([13]);
  });

  it('refuses other schema versions and missing files with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-report-'));
    await expect(loadRun(dir)).rejects.toThrow(/no results\.json/);
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ schemaVersion: 2 }));
    await expect(loadRun(dir)).rejects.toBeInstanceOf(UsageError);
    await expect(loadRun(dir)).rejects.toThrow(/schemaVersion 2/);
    writeFileSync(join(dir, 'results.json'), '{"schemaVersion": 1, "sta');
    await expect(loadRun(dir)).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toContain('sta');
  });
});
