/**
 * The clock source as its own process: paints and paces frames and writes them to stdout, which the pipeline
 * hands straight to ffmpeg's stdin (the bytes never pass through the lab's main thread). Pacing therefore does not
 * depend on what the lab's event loop is doing (werift's SRTP, puppeteer traffic). Every second it prints one JSON
 * line of pacing figures on stderr.
 *
 * argv[2]: JSON {width, height, fps}
 */
import { setPriority } from 'node:os';
import { ClockSource } from './clock-source.ts';

const { width, height, fps } = JSON.parse(process.argv[2] ?? '{}') as { width: number; height: number; fps: number };
try {
  setPriority(-10); // a steady source matters more than anything else on the machine; allowed as root only
} catch {
  /* not permitted: run at normal priority */
}
const out = process.stdout;
// Backpressure = more than two frames queued for ffmpeg (a pipe write of one frame always exceeds the high-water mark).
const source = new ClockSource({ width, height, fps, sink: (frame) => (out.write(frame), out.writableLength <= 2 * frame.length) });
const report = () => process.stderr.write(`pacing ${JSON.stringify(source.pacing())}\n`);
const timer = setInterval(report, 1000);
const stop = () => {
  source.stop();
  clearInterval(timer);
  report();
  out.end(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
out.on('error', () => process.exit(0)); // ffmpeg went away: nothing left to feed
source.start();
