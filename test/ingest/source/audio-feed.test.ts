import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AUDIO_SAMPLE_RATE, unwrapMarkMs } from '../../../core/audio-timecode.ts';
import { readMarks } from '../../../core/audio-timecode-reader.ts';
import { AudioFeed } from '../../../ingest/source/audio-feed.ts';

/** Reads a feed as ffmpeg would (a TCP client), noting when each byte count arrived (performance.now()). */
function reader(url: string): { bytes: () => Buffer; arrivals: Array<[number, number]>; close: () => void } {
  const { port } = new URL(url);
  const chunks: Buffer[] = [];
  const arrivals: Array<[number, number]> = [];
  let total = 0;
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('data', (d: Buffer) => {
    chunks.push(d);
    total += d.length;
    arrivals.push([performance.now(), total]);
  });
  return { bytes: () => Buffer.concat(chunks), arrivals, close: () => socket.destroy() };
}

const floats = (pcm: Buffer): Float32Array => Float32Array.from({ length: pcm.length >> 1 }, (_, i) => pcm.readInt16LE(i * 2) / 32767);

describe('the clock source\'s audio feed (real loopback sockets)', () => {
  it('writes the marks at their stamps from t0, the HLS feed ahead of schedule and the WebRTC feed on it', async () => {
    const feed = await AudioFeed.open({ offsetMs: 0, lead: { leadMs: 150 }, realtime: true });
    const lead = reader(feed.urls().lead!);
    const realtime = reader(feed.urls().realtime!);
    await new Promise((r) => setTimeout(r, 100)); // both connected
    const t0 = performance.now();
    const t0Wall = Date.now() - (performance.now() - t0);
    feed.start(t0, t0Wall);
    await new Promise((r) => setTimeout(r, 1500));
    feed.stop();
    await new Promise((r) => setTimeout(r, 50));
    lead.close();
    realtime.close();

    // Both feeds carry the same PCM; every mark sits at its stamp: sample s is wall time t0Wall + s / 48.
    const pcm = realtime.bytes();
    expect(lead.bytes().subarray(0, pcm.length).equals(pcm)).toBe(true);
    const marks = readMarks(floats(pcm));
    expect(marks.length).toBeGreaterThanOrEqual(13); // 1.5 s: 15 marks, less the first before the level is known
    for (const m of marks) {
      expect(m.counter).not.toBeNull();
      const wall = t0Wall + (m.sample * 1000) / AUDIO_SAMPLE_RATE;
      const off = wall - unwrapMarkMs(m.counter!, wall);
      expect(off).toBeGreaterThanOrEqual(-1); // the 1 ms envelope window may start just before the burst
      expect(off).toBeLessThan(2); // the onset's 0.5 ms steps and 1 ms window
    }

    // Pacing: the realtime feed holds 1 s of audio ~1 s after t0; the lead feed holds it 150 ms sooner. Bounds leave a
    // loaded machine 100 ms of timer lateness either way.
    const bytesAt = (arrivals: Array<[number, number]>, n: number) => arrivals.find(([, total]) => total >= n)?.[0] ?? Infinity;
    const oneSecond = AUDIO_SAMPLE_RATE * 2;
    const realtimeAt = bytesAt(realtime.arrivals, oneSecond) - t0;
    const leadAt = bytesAt(lead.arrivals, oneSecond) - t0;
    expect(realtimeAt).toBeGreaterThanOrEqual(990 - 10); // chunk j is due at t0 + j × 10 ms: the last 10 ms chunk at 990 ms
    expect(realtimeAt).toBeLessThan(990 + 100);
    expect(leadAt).toBeLessThan(realtimeAt - 100);
    expect(feed.pacing().audioChunks).toBeGreaterThanOrEqual(140);
  });
});
