import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { labChildren, runLab, startLab, waitFor } from '../support/lab-cli.ts';

describe('how runs end', () => {
  it('Ctrl-C writes interrupted partial results, exits 130 and leaves no children', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-int-'));
    const run = startLab(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '60']);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => /measuring/.test(stderr), 60_000);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('interrupted');
    const webrtc = results.paths.find((p) => p.kind === 'webrtc')!;
    expect(webrtc.viewers[0]!.firstFrameMs).toBeGreaterThan(0);
    expect(webrtc.framesMeasured).toBeGreaterThan(0);
    expect(labChildren()).toEqual([]);
  });

  it('ffmpeg dying mid-run fails the run with its name and stderr, keeps partial results, leaves no children', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-die-'));
    const run = startLab(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '60']);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => /warm-up|measuring/.test(stderr), 60_000);
    execFileSync('pkill', ['-KILL', '-f', 'rtp://127.0.0.1.*latency-lab-e2e|latency-lab-e2e.*rtp://127.0.0.1']);
    const result = await run.done;
    expect(result.code).toBe(1);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('failed');
    expect(results.error).toMatch(/ffmpeg died/);
    expect(result.stderr).toMatch(/ffmpeg died/);
    expect(labChildren()).toEqual([]);
  });

  it('an invalid scenario exits 2 naming every bad field, before starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-test-bad-'));
    const file = join(dir, 'bad.yaml');
    execFileSync('sh', ['-c', `printf 'name: Bad Name\\nduration: -1\\npaths:\\n  - kind: hls\\n    segmentDuraton: 2\\n' > ${file}`]);
    const result = await runLab(['run', file, '--out', join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/name: must match/);
    expect(result.stderr).toMatch(/duration: must be > 0, got -1/);
    expect(result.stderr).toMatch(/paths\[0\]\.segmentDuraton: unknown key \(did you mean "segmentDuration"\?\)/);
    expect(labChildren()).toEqual([]);
  });
});
