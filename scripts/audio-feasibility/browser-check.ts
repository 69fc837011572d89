/**
 * Issue 19 feasibility, part 2: can headless Chromium here (the lab's flags, no sound card) run an AudioContext and
 * play the audio of an HLS stream (ffmpeg AAC 64 kb/s) and of a WebRTC stream (Opus 32 kb/s via werift), and can
 * the played samples be read back with their timecode marks (core/audio-timecode.ts)?
 *
 *   flock /tmp/latency-lab-heavy.lock node --import tsx scripts/audio-feasibility/browser-check.ts [--seconds 20] [--hls-only]
 *
 * A paced source hands 20 ms chunks of marks (one every 100 ms) to ffmpeg at their wall-clock time; a mark's
 * capture time is when its chunk was handed over. In the page an AudioWorklet copies what the graph renders; a
 * mark's play time is its onset frame mapped through getOutputTimestamp() to performance.now(), then to Date.now().
 * Prints the context's facts, marks read, and latency = play time − capture time per path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import puppeteer, { type Page } from 'puppeteer';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { labDefaults } from '../../core/defaults.ts';
import { AUDIO_SAMPLE_RATE as SAMPLE_RATE, MARK_PERIOD_MS } from '../../core/audio-timecode.ts';
import { readMarks } from '../../core/audio-timecode-reader.ts';
import { writeMarks } from './codec-roundtrip.ts';
import { PAGE_HTML, WORKLET_JS } from './capture-page.ts';

const CHUNK = SAMPLE_RATE / 50;
const PERIOD_MS = MARK_PERIOD_MS;

/** ffmpeg fed with marks in real time; `t0` is the wall ms at which sample 0 was handed over. */
function pacedSource(seconds: number, outputArgs: string[]): { t0: number; ff: ChildProcess; done: Promise<void> } {
  const pcm = writeMarks((seconds * 1000) / PERIOD_MS);
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'f32le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:0', ...outputArgs], { stdio: ['pipe', 'ignore', 'inherit'] });
  const t0 = Date.now();
  const done = new Promise<void>((resolve) => {
    let k = 0;
    const tick = (): void => {
      while (k * CHUNK < pcm.length && Date.now() >= t0 + k * 20) {
        ff.stdin!.write(Buffer.from(pcm.buffer, k * CHUNK * 4, CHUNK * 4));
        k++;
      }
      if (k * CHUNK >= pcm.length) {
        ff.stdin!.end();
        resolve();
      } else setTimeout(tick, 5);
    };
    tick();
  });
  return { t0, ff, done };
}

interface ClockRow { perf: number; wallOffset: number; currentTime: number; contextTime: number | null; performanceTime: number | null; outputLatency: number; baseLatency: number; state: string }

/** Reads the page's captured samples and clock log; latency per mark from the last output timestamp. */
async function analyse(page: Page, label: string, t0: number, fromFrame = 0): Promise<void> {
  const blocks = (await page.evaluate('window.takeBlocks()')) as Array<{ frame: number; data: string; live: boolean }>;
  const clock = (await page.evaluate('window.lab.clock')) as ClockRow[];
  const first = blocks.find((b) => b.frame >= fromFrame);
  if (!first) return console.log(`${label}: no samples captured`);
  const used = blocks.filter((b) => b.frame >= first.frame);
  const samples = new Float32Array(used.reduce((n, b) => n + Buffer.from(b.data, 'base64').length / 4, 0));
  let at = 0;
  for (const b of used) {
    const bytes = Buffer.from(b.data, 'base64');
    samples.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), at);
    at += bytes.length / 4;
  }
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  const marks = readMarks(samples);
  const ts = clock.at(-1)!;
  const lat: number[] = [];
  for (const m of marks) {
    if (m.counter === null || ts.contextTime === null || ts.performanceTime === null) continue;
    const contextTime = (first.frame + m.sample) / SAMPLE_RATE;
    const wall = ts.performanceTime + (contextTime - ts.contextTime) * 1000 + ts.wallOffset;
    // The newest mark at or before the play time with this counter (latency < 25.6 s).
    let n = Math.floor((wall - t0) / PERIOD_MS);
    n -= (((n - m.counter) % 256) + 256) % 256;
    lat.push(wall - (t0 + n * PERIOD_MS));
  }
  const third = Math.floor(lat.length / 3);
  const mid = (xs: number[]): string => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1) : '—');
  const drift = `p50 of the first third ${mid(lat.slice(0, third))}, of the last third ${mid(lat.slice(lat.length - third))} ms`;
  lat.sort((a, b) => a - b);
  const q = (p: number): string => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(1) : '—');
  console.log(
    `${label}: ${(samples.length / SAMPLE_RATE).toFixed(1)} s captured, peak ${peak.toFixed(3)}, marks ${marks.length} ` +
      `(valid ${marks.filter((m) => m.counter !== null).length}); latency p5 ${q(0.05)} / p50 ${q(0.5)} / p95 ${q(0.95)} ms; ${drift}`,
  );
}

/** One WebRTC viewer of a paced Opus source for `seconds`: werift offers, the page answers. */
async function webrtcVariant(page: Page, withElement: boolean, seconds: number): Promise<void> {
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const pc = new RTCPeerConnection({ codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })], video: [] }, iceAdditionalHostAddresses: ['127.0.0.1'] });
  const track = new MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  udp.on('message', (p) => track.writeRtp(p));
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => setTimeout(r, 500));
  const offer = { type: 'offer', sdp: pc.localDescription!.sdp };
  const answer = (await page.evaluate((o, el) => (window as unknown as { answerRtc: (x: unknown, e: boolean) => Promise<unknown> }).answerRtc(o, el), offer, withElement)) as { type: 'answer'; sdp: string };
  await pc.setRemoteDescription(answer);
  const rtc = pacedSource(seconds, ['-c:a', 'libopus', '-b:a', '32k', '-application', 'lowdelay', '-f', 'rtp', `rtp://127.0.0.1:${udp.address().port}`]);
  try {
    await rtc.done;
    await new Promise((r) => setTimeout(r, 500));
    await analyse(page, `WebRTC (Opus 32 kb/s via werift), ${withElement ? 'stream also on an <audio> element' : 'MediaStreamSource only'}`, rtc.t0);
  } finally {
    rtc.ff.kill('SIGKILL');
    await pc.close();
    udp.close();
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 20;
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'audio-check-'));
  const hlsJs = readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'hls.js', 'dist', 'hls.min.js'));
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]!;
    if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE_HTML);
    if (url === '/worklet.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKLET_JS);
    if (url === '/hls.min.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
    let body: Buffer;
    try {
      body = readFileSync(join(dir, normalize(url.replace(/^\/hls\//, '')).replace(/^(\.\.[/\\])+/, '')));
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...labDefaults.chromiumArgs], pipe: true });
  const children: ChildProcess[] = [];
  try {
    const page = await (await browser.createBrowserContext()).newPage();
    await page.goto(base);
    console.log('AudioContext:', JSON.stringify(await page.evaluate('window.startContext()')));
    await new Promise((r) => setTimeout(r, 2000));
    const clock = (await page.evaluate('window.lab.clock')) as ClockRow[];
    const [a, b] = [clock[0]!, clock.at(-1)!];
    console.log(`clock over ${((b.perf - a.perf) / 1000).toFixed(2)} s: currentTime advanced ${(b.currentTime - a.currentTime).toFixed(3)} s; last output timestamp`, JSON.stringify(b));

    // HLS: AAC 64 kb/s, 1 s segments, played by hls.js into the graph through a MediaElementSource.
    const hls = pacedSource(seconds, ['-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '6', '-hls_flags', 'delete_segments+temp_file', join(dir, 'index.m3u8')]);
    children.push(hls.ff);
    await new Promise((r) => setTimeout(r, 4500));
    console.log('hls.js:', await page.evaluate(`window.playHls('${base}/hls/index.m3u8')`));
    await page.evaluate('window.takeBlocks()');
    await new Promise((r) => setTimeout(r, (seconds * 1000) / 2));
    console.log('hls.js latency / target (s):', JSON.stringify(await page.evaluate('[window.hls.latency, window.hls.targetLatency]')));
    await hls.done;
    await analyse(page, 'HLS (AAC 64 kb/s, 1 s segments, hls.js)', hls.t0);
    console.log('page events:', JSON.stringify(await page.evaluate('window.lab.events')));
    await page.close();

    // WebRTC: Opus 32 kb/s RTP from ffmpeg → werift (sendonly audio) → the page's RTCPeerConnection, each variant
    // in a page of its own: the remote stream into a MediaStreamSource only, then also played by an <audio> element.
    for (const withElement of process.argv.includes('--hls-only') ? [] : [false, true]) {
      const rtcPage = await (await browser.createBrowserContext()).newPage();
      await rtcPage.goto(base);
      await rtcPage.evaluate('window.startContext()');
      await webrtcVariant(rtcPage, withElement, withElement ? seconds : 8);
      console.log('page events:', JSON.stringify(await rtcPage.evaluate('window.lab.events')));
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
