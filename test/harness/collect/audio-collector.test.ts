import { describe, expect, it } from 'vitest';
import { AudioCollector } from '../../../harness/collect/audio-collector.ts';
import type { ProbeBatch } from '../../../players/contract.ts';
import { audioSyncHtml } from '../../../reports/audio-sync.ts';

const batch = (audioMarks: number[], audioUndecodableAt: number[] = []): ProbeBatch =>
  ({ frames: [], undecodableAt: [], webrtcStats: [], audioMarks, audioUndecodableAt, audioContext: { sampleRate: 48_000, baseLatencyMs: 10, outputLatencyMs: 32 } }) as unknown as ProbeBatch;

describe('AudioCollector', () => {
  it('counts marks in the window, bins A/V sync against the video timeline, flags off-track marks', () => {
    const c = new AudioCollector(0, 1000);
    // 10 marks a second for 3 s at 60 ms, one of them read 100 ms off (a misread counter), one undecodable, one outside.
    const marks: number[] = [];
    for (let i = 0; i < 30; i++) marks.push(i * 100 + 5, i === 14 ? 160 : 60);
    c.add(batch([...marks, 5000, 60], [1500, 9000]), (wall) => wall < 3000, true);
    const r = c.result([{ t: 0, p50: 40, min: 40, max: 40, n: 30 }, { t: 1, p50: 50, min: 50, max: 50, n: 30 }, { t: 2, p50: 70, min: 70, max: 70, n: 30 }], 3000);
    expect(r.audioLatencyMs!.count).toBe(30);
    expect(r.audioLatencyMs!.p50).toBe(60);
    expect(r.audio).toMatchObject({ marksExpected: 30, marksDecoded: 30, marksUndecodable: 1, marksOffTrack: 1, marksWithheld: 0 });
    expect(r.audio.avSyncTimeline.map((p) => p.syncMs)).toEqual([20, 10, -10]);
    expect(r.avSyncMs!.p50).toBe(10);
  });

  it('a steep catch-up slide is not off track, a misread inside it is', () => {
    const c = new AudioCollector(0, 1000);
    // A player at 1.5× with every other mark lost to the time-stretch: −67 ms a decoded mark, 133 ms of wall apart.
    const marks: number[] = [];
    for (let i = 0; i < 20; i++) marks.push(i * 133, 3000 - i * 67 + (i === 10 ? 200 : 0));
    c.add(batch(marks), () => true, true);
    expect(c.result([], 3000).audio.marksOffTrack).toBe(1);
    // A latency step (a buffer jump) is not a misread: the mark at the step stays on the line of the marks after it.
    const step = new AudioCollector(0, 1000);
    step.add(batch(Array.from({ length: 20 }, (_, i) => [i * 100, i < 10 ? 300 : 200]).flat()), () => true, true);
    expect(step.result([], 2000).audio.marksOffTrack).toBe(0);
  });

  it('withholds marks while the clock is not trusted', () => {
    const c = new AudioCollector(0, 1000);
    c.add(batch([100, 60, 200, 60]), () => true, false);
    expect(c.result([], 1000).audio.marksWithheld).toBe(2);
  });

  it('the report draws the lip-sync section only for paths with audio', () => {
    const c = new AudioCollector(0, 1000);
    c.add(batch([100, 60, 1100, 80]), () => true, true);
    const viewer = { viewer: 0, latencyMs: { p50: 50 }, ...c.result([{ t: 0, p50: 50, min: 50, max: 50, n: 1 }, { t: 1, p50: 50, min: 50, max: 50, n: 1 }], 2000) };
    const html = audioSyncHtml({ paths: [{ id: 'hls-1s', viewers: [viewer] }] } as never);
    expect(html).toContain('Audio and lip sync');
    expect(html).toContain('<svg class="audio-sync"');
    expect(audioSyncHtml({ paths: [{ id: 'hls-1s', viewers: [{ viewer: 0 }] }] } as never)).toBe('');
  });
});
