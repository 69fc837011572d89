import { createServer, type Server, type Socket } from 'node:net';

/** One progress report of ffmpeg's: when it arrived (wall ms) and how many frames the encoder had output. */
export interface EncoderProgress {
  wallMs: number;
  frame: number;
}

/** Reports kept (two a second: a day and a half); beyond that every other one is dropped. */
const MAX_REPORTS = 250_000;

/**
 * Receives ffmpeg's `-progress` reports on a loopback TCP socket of its own (ffmpeg connects to it as a client), so
 * that they neither fill ffmpeg's stderr tail (which error messages quote) nor need a console. ffmpeg writes a block
 * of key=value lines every `-stats_period` (0.5 s by default), ending with `progress=continue|end`; `frame=` is the
 * frame count of the first video output stream.
 */
export class ProgressListener {
  readonly reports: EncoderProgress[] = [];
  private frame: number | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly url: string) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      socket.setEncoding('utf8');
      let partial = '';
      socket.on('data', (chunk: string) => {
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.onLine(line.trim());
      });
    });
  }

  /** Listens on 127.0.0.1 (an OS-chosen port); `url` is what `-progress` takes. */
  static async open(): Promise<ProgressListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return new ProgressListener(server, `tcp://127.0.0.1:${port}`);
  }

  /** Feeds one line of a progress block (exported behaviour for tests through `open()`'s socket). */
  private onLine(line: string): void {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'frame') this.frame = Number(value);
    else if (key === 'progress' && this.frame !== null && Number.isFinite(this.frame)) {
      this.reports.push({ wallMs: Date.now(), frame: this.frame });
      if (this.reports.length > MAX_REPORTS) {
        const kept = this.reports.filter((_, i) => i % 2 === 0);
        this.reports.length = 0;
        this.reports.push(...kept);
      }
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
