import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { LabError } from '../../core/errors.ts';
import type { CmafPackager } from './cmaf-packager.ts';
import { Fmp4StreamReader } from './fmp4-stream.ts';

/** The fMP4 ingest failed: bad bytes from ffmpeg or a socket error. */
export class IngestError extends LabError {
  override name = 'IngestError';
}

/** Longest path a unix socket address may have on Linux (sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 107;

interface IngestEvents {
  error: [error: IngestError];
  /** ffmpeg closed its end (the packager has been ended). */
  ended: [];
}

/**
 * Where ffmpeg's fragmented-MP4 tee output goes: a unix socket the lab listens on and ffmpeg connects to as a
 * client (`unix:<path>` URL). A socket rather than an extra pipe or a TCP port: ffmpeg's stdout is already its log
 * channel and ManagedProcess has no spare descriptors to hand over; a unix socket needs no port, cannot be reached
 * from the network, has no Nagle delay, lives in the run's media folder (removed with it), and tells the packager
 * when ffmpeg goes away. One connection only (the run's one ffmpeg); a second one is refused.
 */
export class FragmentIngest extends EventEmitter<IngestEvents> {
  private server: Server | undefined;
  private connection: Socket | undefined;
  private readonly reader = new Fmp4StreamReader();
  private closing = false;
  bytesReceived = 0;

  constructor(private readonly packager: CmafPackager) {
    super();
  }

  async listen(socketPath: string): Promise<void> {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) throw new IngestError(`socket path too long for a unix socket (${Buffer.byteLength(socketPath)} > ${MAX_SOCKET_PATH} bytes): ${socketPath}`);
    await rm(socketPath, { force: true });
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new IngestError(`cannot listen on ${socketPath}: ${err.message}`)));
      server.listen(socketPath, () => resolve());
    });
    server.on('error', (err) => this.fail(new IngestError(`ingest socket: ${err.message}`)));
  }

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.destroyed;
  }

  /** Stops listening and drops the connection; the packager is ended. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connection?.destroy();
    this.packager.end();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.connection || this.closing) {
      socket.destroy();
      return;
    }
    this.connection = socket;
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      const now = Date.now();
      try {
        for (const event of this.reader.push(chunk)) {
          if (event.kind === 'init') this.packager.setInit(event.init);
          else this.packager.addFragment(event.fragment, now);
        }
      } catch (err) {
        socket.destroy();
        this.fail(new IngestError(`fMP4 from ffmpeg could not be packaged: ${(err as Error).message}`));
      }
    });
    socket.on('error', (err) => {
      if (!this.closing) this.fail(new IngestError(`ingest connection: ${err.message}`));
    });
    socket.on('close', () => {
      if (this.closing) return;
      this.packager.end();
      this.emit('ended');
    });
  }

  private fail(err: IngestError): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
