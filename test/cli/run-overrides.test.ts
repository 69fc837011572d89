import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLabWithin } from '../support/lab-cli.ts';

/**
 * The real command line (node bin/lab.js): an override beyond a limit of the scenario schema stops the command with
 * exit 2 before anything starts. If it did not, the command would start a real run: the child is killed after 60 s
 * and the test fails.
 */
const dir = mkdtempSync(join(tmpdir(), 'latency-lab-overrides-'));

const lab = (args: string[]) => runLabWithin(args);

describe('command-line overrides hold the scenario schema\'s limits', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lab run --duration 1e9 exits 2 naming the 86,400 s limit, before anything starts', async () => {
    const out = join(dir, 'too-long');
    const result = await lab(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '1e9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--duration: must be ≤ 86400 s, got 1000000000');
    expect(existsSync(out)).toBe(false);
  });

  it('lab run refuses a zero or negative --duration and an out-of-range --repeat', async () => {
    const zero = await lab(['run', 'test/fixtures/e2e.yaml', '--out', join(dir, 'zero'), '--duration', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--duration: must be > 0 s, got 0');
    const negative = await lab(['run', 'test/fixtures/e2e.yaml', '--out', join(dir, 'negative'), '--duration=-5']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--duration: must be > 0 s, got -5');
    const repeat = await lab(['run', 'test/fixtures/e2e.yaml', '--out', join(dir, 'repeat'), '--repeat', '21']);
    expect(repeat.code).toBe(2);
    expect(repeat.stderr).toContain('--repeat: must be ≤ 20, got 21');
    expect(existsSync(join(dir, 'zero')) || existsSync(join(dir, 'negative')) || existsSync(join(dir, 'repeat'))).toBe(false);
  });

  it('lab calibrate --duration 1e9 exits 2 the same way', async () => {
    const result = await lab(['calibrate', '--out', join(dir, 'calibrate'), '--duration', '1e9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--duration: must be ≤ 86400 s, got 1000000000');
    expect(existsSync(join(dir, 'calibrate'))).toBe(false);
  });
});
