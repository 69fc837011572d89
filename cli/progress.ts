import type { LabEventBus, ProgressSnapshot } from '../harness/run/events.ts';

function fmtMs(ms: number | null): string {
  if (ms === null) return '…';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function progressLine(s: ProgressSnapshot): string {
  const total = s.expectedSeconds ? `/${Math.round(s.expectedSeconds)}s` : '';
  const paths = s.paths.map((p) => `${p.id} ${p.framesMeasured}f p50 ${fmtMs(p.liveP50)}`).join(' | ');
  return `[${Math.round(s.elapsedSeconds)}s${total}] ${s.phase}: ${paths}`;
}

/**
 * Live progress: one rewritten line on a TTY; on CI logs (not a TTY) a plain line every `everySeconds`.
 * Returns a function that finishes the display.
 */
export function attachProgress(bus: LabEventBus, stream: NodeJS.WriteStream, options: { quiet: boolean; everySeconds?: number }): () => void {
  if (options.quiet) return () => {};
  const tty = stream.isTTY === true;
  let lastPlain = -Infinity;
  let drawn = false;
  bus.on('phase', (phase) => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    if (!tty || phase === 'stopping') stream.write(`${phase}…\n`);
    drawn = false;
  });
  bus.on('warning', (message) => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    stream.write(`warning: ${message}\n`);
    drawn = false;
  });
  bus.on('progress', (snapshot) => {
    const line = progressLine(snapshot);
    if (tty) {
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 120) - 1)}`);
      drawn = true;
    } else if (snapshot.elapsedSeconds - lastPlain >= (options.everySeconds ?? 5)) {
      lastPlain = snapshot.elapsedSeconds;
      stream.write(`${line}\n`);
    }
  });
  return () => {
    if (tty && drawn) stream.write('\r\x1b[2K');
  };
}
