import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labChildren, runLab } from '../support/lab-cli.ts';

describe('lab run as a gate', () => {
  it('exits 99 when a threshold fails, naming it with the value found', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-gate-'));
    // --allow-degraded: this checks the thresholds, whatever a busy machine makes of the run's validity verdict.
    const result = await runLab(['run', 'test/fixtures/impossible-threshold.yaml', '--out', out, '--quiet', '--allow-degraded']);
    expect(result.code, result.stderr).toBe(99);
    expect(result.stdout).toMatch(/✗ webrtc-h264 p\(95\)<1: \d+(\.\d+)? ms/);
    expect(result.stdout).toMatch(/✓ webrtc-h264 undecodable<1%/);
    expect(labChildren()).toEqual([]);
  });
});
