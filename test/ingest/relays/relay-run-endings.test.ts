import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../../harness/results/types.ts';
import { runStateDir, type RunStateFile } from '../../../core/process/run-state.ts';
import { relayProblems } from '../../../ingest/relays/relay-backends.ts';
import { labChildren, startLab } from '../../support/lab-cli.ts';
import { waitUntil } from './relay-test-support.ts';

/** Live processes named exactly `name` (pgrep -x), e.g. every janus or turnserver on the machine. */
function named(name: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-x', name], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function scenarioFile(): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-test-relays-'));
  const file = join(dir, 'relays.yaml');
  writeFileSync(
    file,
    [
      'name: relay-endings',
      'duration: 60',
      'warmup: 1',
      'video: { width: 320, height: 180, fps: 30, bitrateKbps: 300 }',
      'paths:',
      '  - kind: webrtc',
      '    relay: janus',
      '  - kind: webrtc',
      '    relay: werift',
      '    turn: true',
      '',
    ].join('\n'),
  );
  return { file, out: join(dir, 'out') };
}

const missing = (await relayProblems([{ id: 'webrtc-h264-janus', relay: 'janus' }, { id: 'webrtc-h264-turn', relay: 'werift', turn: true }]))[0];
if (missing) console.warn(`[relay run endings] skipped: ${missing}`);

describe.skipIf(missing !== undefined)(`runs with Janus and TURN end cleanly${missing ? ` — SKIPPED: ${missing}` : ''}`, () => {
  it('Janus dying mid-run fails the run with its name and last output, and leaves no janus, turnserver or other child', async () => {
    const { file, out } = scenarioFile();
    const run = startLab(['run', file, '--out', out]);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitUntil(() => /warm-up|measuring/.test(stderr), 90_000, 'viewers to play');
    expect(named('janus').length).toBe(1);
    // This run's janus, as the run recorded it (not every janus on the machine).
    const state = JSON.parse(readFileSync(join(runStateDir(), `${run.child.pid}.json`), 'utf8')) as RunStateFile;
    const janus = state.children.find((c) => c.label.startsWith('janus'));
    expect(janus, JSON.stringify(state.children)).toBeDefined();
    process.kill(janus!.pid, 'SIGKILL');
    const result = await run.done;
    expect(result.code).toBe(1);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('failed');
    expect(results.error).toMatch(/janus \(webrtc-h264-janus\) died/);
    expect(results.error).toMatch(/last stderr lines/);
    expect(named('janus')).toEqual([]);
    expect(named('turnserver')).toEqual([]);
    expect(labChildren()).toEqual([]);
  });

  it('Ctrl-C stops Janus and coturn with everything else (exit 130)', async () => {
    const { file, out } = scenarioFile();
    const run = startLab(['run', file, '--out', out]);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitUntil(() => /measuring/.test(stderr), 90_000, 'the run to measure');
    expect(named('janus').length).toBe(1);
    expect(named('turnserver').length).toBe(1);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('interrupted');
    const turn = results.paths.find((p) => p.id === 'webrtc-h264-turn')!;
    expect(turn.viewers[0]!.webrtcStats?.candidatePair?.local).toBe('relay');
    const janus = results.paths.find((p) => p.id === 'webrtc-h264-janus')!;
    expect(janus.framesMeasured).toBeGreaterThan(0);
    expect(named('janus')).toEqual([]);
    expect(named('turnserver')).toEqual([]);
    expect(labChildren()).toEqual([]);
  });
});
