import type { Server, Socket } from 'node:net';
import { listenOnLoopback } from './loopback-listen.ts';

/**
 * Receives ffmpeg's `-progress` reports on a loopback TCP socket (ffmpeg connects to it as a client), in the clock
 * source's own process: that process runs at high priority and does little else, so a report is timed when it
 * arrives even when the machine is loaded (timed in the lab's event loop, a starved loop added its own delay to
 * the encoder's lag: 0.8 s under four busy loops per core). Reports stay out of ffmpeg's stderr tail, which error
 * messages quote. ffmpeg writes a block of key=value lines every `-stats_period` (0.5 s by default) ending with
 * `progress=continue|end`; `frame=` counts the frames of the first video output stream handed to its encoder.
 */
export class ProgressListener {
  private frame: number | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly url: string, private readonly onReport: (frame: number) => void) {
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

  /** Listens on 127.0.0.1 (an OS-chosen port); `url` is what `-progress` takes; onReport gets each block's frame count. */
  static async open(onReport: (frame: number) => void): Promise<ProgressListener> {
    const { server, port } = await listenOnLoopback();
    return new ProgressListener(server, `tcp://127.0.0.1:${port}`, onReport);
  }

  private onLine(line: string): void {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq);
    if (key === 'frame') this.frame = Number(line.slice(eq + 1));
    else if (key === 'progress' && this.frame !== null && Number.isFinite(this.frame)) this.onReport(this.frame);
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }
}
