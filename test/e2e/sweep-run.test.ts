import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { labChildren, runLab } from '../support/lab-cli.ts';

describe('a real sweep run (HLS 1 s and 2 s + WebRTC, two viewers each, one encode)', () => {
  it('orders the paths WebRTC < HLS 1 s < HLS 2 s, with steady HLS joins between 3 × segment and 3 × segment + 1 s', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-sweep-'));
    const result = await runLab(['run', 'test/fixtures/sweep.yaml', '--out', out, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const p50 = Object.fromEntries(results.paths.map((p) => [p.id, p.latencyMs!.p50]));
    expect(Object.keys(p50)).toEqual(['hls-1s', 'hls-2s', 'webrtc-h264']);
    expect(p50['webrtc-h264']!).toBeLessThan(p50['hls-1s']!);
    expect(p50['hls-1s']!).toBeLessThan(p50['hls-2s']!);
    expect(p50['hls-1s']!).toBeGreaterThanOrEqual(3000);
    expect(p50['hls-1s']!).toBeLessThanOrEqual(3000 + 1000);
    expect(p50['hls-2s']!).toBeGreaterThanOrEqual(6000);
    expect(p50['hls-2s']!).toBeLessThanOrEqual(6000 + 1000);
    for (const path of results.paths) {
      expect(path.viewers).toHaveLength(2);
      for (const viewer of path.viewers) expect(viewer.framesMeasured, `${path.id}/${viewer.viewer}`).toBeGreaterThan(0.8 * 30 * 8);
    }
    expect(results.paths.every((p) => p.params.gop === 30)).toBe(true);
    expect(labChildren()).toEqual([]);
  });
});
