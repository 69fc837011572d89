import { describe, expect, it } from 'vitest';
import { audioOffsetOutcome, checksAudioOffset, formatAudioOffset, injectedAudioOffsetMs, withAudioOffset } from '../../cli/calibrate-audio.ts';
import { calibrationPairs } from '../../cli/calibrate-command.ts';
import type { Results } from '../../harness/results/types.ts';
import { loadScenarioPoints } from '../../harness/scenario/load-scenario.ts';

const scenario = loadScenarioPoints('scenarios/audio-offset-check.yaml')[0]!.scenario;
const results = (status: string, syncP50: number | null) =>
  ({ status, scenario, paths: [{ id: 'hls-ref', avSyncMs: syncP50 === null ? null : { p50: syncP50 } }] }) as unknown as Results;

describe('lab calibrate: the audio offset check', () => {
  it('takes the scenario\'s audio.offsetMs as the injected offset and runs the pairs unshifted', () => {
    expect(injectedAudioOffsetMs(scenario)).toBe(80);
    const unshifted = withAudioOffset(scenario, 0);
    expect(injectedAudioOffsetMs(unshifted)).toBeNull();
    expect(unshifted.audio).toEqual({ offsetMs: 0 });
    const [pair] = calibrationPairs(unshifted);
    expect(checksAudioOffset(unshifted, pair!.reference)).toBe(true);
    // A path-level offset is replaced too; a path with audio: false stays silent and is not checked.
    const perPath = withAudioOffset({ ...scenario, audio: undefined, paths: [{ ...scenario.paths[0]!, audio: { offsetMs: 80 } }] }, 0);
    expect(perPath.paths[0]!.audio).toEqual({ offsetMs: 0 });
    expect(checksAudioOffset(scenario, { ...scenario.paths[0]!, audio: false })).toBe(false);
    expect(injectedAudioOffsetMs({ ...scenario, audio: undefined })).toBeNull();
  });

  it('recovers the offset as the rise of A/V sync p50, within one frame', () => {
    const outcome = audioOffsetOutcome('hls-ref', 80, results('complete', 25), results('complete', 111), '/tmp/x');
    expect(outcome).toMatchObject({ measuredMs: 86, errorMs: 6, ok: true });
    expect(outcome.toleranceMs).toBeCloseTo(33.33, 2);
    expect(formatAudioOffset(outcome)).toBe('✓ HLS audio: injected A/V offset +80 ms → recovered +86.0 ms (error +6.0 ms, within ±33.3 ms) · A/V sync p50 hls-ref +25.0 ms → +111.0 ms');
    const off = audioOffsetOutcome('hls-ref', 80, results('complete', 25), results('complete', 150), '/tmp/x');
    expect(off.ok).toBe(false);
    expect(formatAudioOffset(off)).toMatch(/^✗ .* \(error \+45\.0 ms, OUTSIDE ±33\.3 ms\)/);
    // Not measured, or a run that did not complete, never passes.
    const none = audioOffsetOutcome('hls-ref', 80, results('complete', 25), results('complete', null), '/tmp/x');
    expect(none).toMatchObject({ measuredMs: null, ok: false });
    expect(formatAudioOffset(none)).toMatch(/not measured \(no A\/V sync on hls-ref in the shifted run/);
    expect(audioOffsetOutcome('hls-ref', 80, results('complete', 25), results('failed', 105), '/tmp/x').ok).toBe(false);
  });
});
