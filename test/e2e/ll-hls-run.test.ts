import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathResult, Results } from '../../harness/results/types.ts';
import { labChildren, runLab } from '../support/lab-cli.ts';

/** Frames handed to ffmpeg this late mean the machine, not the delivery path, held the stream up. */
const SOURCE_HICCUP_MS = 100;

/**
 * One real `lab run` of test/fixtures/ll-hls-e2e.yaml: the lab's ffmpeg → CMAF packager → LL-HLS origin → hls.js
 * (lowLatencyMode) in Chromium, 60 s of playback (2 s warm-up + 58 s measured) — about 70 s in all — with the
 * source's AAC muxed in the same parts (issue 19).
 */
describe('LL-HLS end to end: hls.js in low-latency mode plays the lab\'s LL-HLS origin', () => {
  let results: Results;
  let path: PathResult;
  let stderr = '';
  /** The source itself stalled (another process starved ffmpeg): stalls and latency are then not the path's. */
  let sourceStalled = false;
  const out = mkdtempSync(join(tmpdir(), 'lab-test-llhls-'));

  beforeAll(async () => {
    const run = await runLab(['run', 'test/fixtures/ll-hls-e2e.yaml', '--out', out, '--quiet']);
    stderr = run.stderr;
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    path = results.paths[0]!;
    const pacing = results.source?.pacing;
    sourceStalled = pacing !== undefined && pacing.lateMsMax >= SOURCE_HICCUP_MS;
    if (sourceStalled) console.warn(`ll-hls e2e (${out}): frames reached ffmpeg up to ${pacing!.lateMsMax} ms late, so stalls and latency are not judged`);
  }, 150_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('completes with the path described as LL-HLS, its model in the params', () => {
    expect(results.status, `${results.error ?? ''}\n${stderr}`).toBe('complete');
    expect(path.id).toBe('ll-hls-1s-200ms');
    expect(path.kind).toBe('ll-hls');
    expect(path.params).toMatchObject({ segmentDuration: 1, partDuration: 0.2, partHoldBack: 0.6, targetDuration: 1, modelLatencyMs: 800 });
  });

  it('plays 60 s without a single stall, every frame timed', () => {
    const viewer = path.viewers[0]!;
    expect(viewer.error).toBeUndefined();
    const expected = results.scenario.video.fps * results.scenario.duration;
    expect(viewer.framesMeasured).toBeGreaterThanOrEqual(0.9 * expected);
    expect(viewer.framesUndecodable).toBeLessThanOrEqual(0.01 * viewer.framesMeasured);
    if (!sourceStalled) expect(viewer.stalls).toEqual({ count: 0, totalMs: 0 });
  });

  it('measures glass-to-glass latency above PART-HOLD-BACK and at most 1.5 s', () => {
    expect(path.latencyMs!.p50).toBeGreaterThan(600);
    if (!sourceStalled) expect(path.latencyMs!.p50).toBeLessThanOrEqual(1500);
  });

  it('records hls.js\'s own figures next to the frame-timed one: its target latency (PART-HOLD-BACK) and playback rate', () => {
    const viewer = path.viewers[0]!;
    // hls.js adds a second to its target for every stall it sees (warm-up included).
    if (!sourceStalled) expect(viewer.hlsJsTargetLatencyMs).toBe(600);
    expect(viewer.hlsJsTargetLatencyMs).toBeGreaterThanOrEqual(600);
    expect(viewer.hlsJsLatencyMs).toBeGreaterThan(0);
    expect(viewer.playbackRate).toMatchObject({ max: expect.any(Number), catchUpMs: expect.any(Number) });
  });

  it('answers blocking playlist reloads the moment a part completes: playlist age ~0, edge lag small', () => {
    const viewer = path.viewers[0]!;
    console.log(`e2e LL-HLS: playlist age ${viewer.hlsPlaylistAgeMs} ms, transit ${viewer.hlsPlaylistTransitMs} ms, edge lag ${viewer.hlsEdgeLagMs} ms`);
    expect(viewer.hlsPlaylistAgeMs).toBeGreaterThanOrEqual(0);
    expect(viewer.hlsPlaylistAgeMs).toBeLessThan(50);
    expect(viewer.hlsPlaylistTransitMs).toBeGreaterThanOrEqual(0);
    expect(viewer.hlsPlaylistTransitMs).toBeLessThan(50);
    expect(viewer.hlsEdgeLagMs).toBeGreaterThan(-50);
    expect(viewer.hlsEdgeLagMs).toBeLessThan(250);
  });

  it('times the AAC muxed in the same parts (issue 19): marks decode, A/V sync within ±100 ms', () => {
    const viewer = path.viewers[0]!;
    const audio = viewer.audio!;
    const sync = viewer.avSyncMs!;
    const rateChanges = viewer.playbackRate?.changes ?? 0;
    console.log(`e2e LL-HLS audio: ${audio.marksDecoded}/${audio.marksExpected} marks (${audio.marksUndecodable} undecodable, ${rateChanges} playback-rate changes), latency p50 ${viewer.audioLatencyMs!.p50} ms, video p50 ${viewer.latencyMs!.p50} ms, A/V sync p50 ${sync.p50} ms`);
    expect(audio.marksExpected).toBe((results.scenario.duration * 1000) / 100);
    // The packaging loses no mark (0 undecodable with catch-up off, docs/audio.md); hls.js's catch-up does: each
    // change of playback rate re-starts Chromium's time stretching, which can spoil the mark being played — at most one.
    expect(audio.marksUndecodable).toBeLessThanOrEqual(rateChanges);
    expect(audio.marksOffTrack).toBe(0);
    if (results.validity?.verdict === 'valid') expect(audio.marksDecoded).toBeGreaterThanOrEqual(0.9 * audio.marksExpected);
    // Sound and picture come from one timeline in the same fragments: they differ only by what each output adds
    // (AAC priming 21 ms, the audio context's ~42 ms, a compositor frame 33 ms), well inside ±100 ms.
    expect(Math.abs(sync.p50)).toBeLessThan(100);
  });

  it('leaves no ffmpeg behind (its command line names the run\'s media folder)', () => {
    // Only this run's processes: other runs may be going on on the same machine.
    expect(labChildren().filter((line) => line.includes('latency-lab-ll-hls-e2e-'))).toEqual([]);
  });
});
