/**
 * The clock source as its own process: paints and paces frames and writes them to stdout, which the pipeline
 * hands straight to ffmpeg's stdin (the bytes never pass through the lab's main thread). Pacing therefore does not
 * depend on what the lab's event loop is doing (werift's SRTP, puppeteer traffic). Every second it prints one JSON
 * line of pacing figures on stderr. It also receives ffmpeg's progress reports (first line on stderr:
 * `progress-url tcp://127.0.0.1:<port>`, for ffmpeg's `-progress`) and times the encoder against its own schedule:
 * each pacing line carries the largest encoder lag since the previous one.
 *
 * With `audio` it also writes the timecoded PCM (audio-feed.ts) to one or two loopback TCP feeds ffmpeg reads, paced
 * from the same t0 as the frames; their URLs go on stderr first (`audio-urls {"lead": …, "realtime": …}`).
 *
 * argv[2]: JSON {width, height, fps, audio?: {offsetMs, leadMs?, realtime}}
 */
import { setPriority } from 'node:os';
import { ClockSource, type PacingReport } from './clock-source.ts';
import { ProgressListener } from './encoder-progress.ts';
import { AudioFeed } from './audio-feed.ts';

interface SourceArgs {
  width: number;
  height: number;
  fps: number;
  audio?: { offsetMs: number; leadMs?: number; realtime: boolean };
}
const { width, height, fps, audio } = JSON.parse(process.argv[2] ?? '{}') as SourceArgs;
try {
  setPriority(-10); // a steady source matters more than anything else on the machine; allowed as root only
} catch {
  /* not permitted: run at normal priority */
}
const out = process.stdout;
// Backpressure = more than two frames queued for ffmpeg (a pipe write of one frame always exceeds the high-water mark).
const source = new ClockSource({ width, height, fps, sink: (frame) => (out.write(frame), out.writableLength <= 2 * frame.length) });
// The encoder's lag at each progress report: now − when the last frame it took was due (frame k at t0 + k/fps).
let encoderLagMs: number | null = null;
let encoderFrames: number | null = null;
const progress = await ProgressListener.open((frame) => {
  encoderFrames = frame;
  const started = source.pacing().startedWallMs;
  if (frame < 1 || !started) return;
  const lag = Date.now() - (started + ((frame - 1) * 1000) / fps);
  encoderLagMs = Math.max(encoderLagMs ?? -Infinity, lag);
});
const audioFeed = audio
  ? await AudioFeed.open({ offsetMs: audio.offsetMs, ...(audio.leadMs !== undefined ? { lead: { leadMs: audio.leadMs } } : {}), realtime: audio.realtime })
  : undefined;
if (audioFeed) process.stderr.write(`audio-urls ${JSON.stringify(audioFeed.urls())}\n`);
process.stderr.write(`progress-url ${progress.url}\n`);
const report = () => {
  const line: PacingReport = { ...source.pacing(), wallMs: Date.now(), encoderLagMs, encoderFrames, ...audioFeed?.pacing() };
  encoderLagMs = null;
  process.stderr.write(`pacing ${JSON.stringify(line)}\n`);
};
const timer = setInterval(report, 1000);
const stop = () => {
  source.stop();
  audioFeed?.stop();
  clearInterval(timer);
  report();
  progress.close();
  out.end(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
out.on('error', () => process.exit(0)); // ffmpeg went away: nothing left to feed
source.start();
audioFeed?.start(source.started.perfMs, source.started.wallMs);
