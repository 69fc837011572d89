import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManagedServer, type ManagedServerOptions, type ServerLaunch } from './managed-server.ts';
import { findNodeMediaServer } from './server-installs.ts';

export interface NodeMediaServerOptions extends ManagedServerOptions {
  /** The stream name (the path id): rtmp://…/live/<stream> in, http://…/live/<stream>.flv out. */
  stream: string;
}

/**
 * node-media-server's configuration: RTMP and HTTP(-FLV, WebSocket-FLV) on one address; no RTMPS/HTTPS, no admin
 * console, no API (no `auth.jwt`), no recording; its store inside the throwaway folder. node-media-server writes
 * generated secrets back into the file it is given with -c, which is why it only ever sees this copy.
 */
export function nodeMediaServerConfig(dir: string, address: string, rtmpPort: number, httpPort: number): Record<string, unknown> {
  return {
    bind: address,
    rtmp: { port: rtmpPort },
    http: { port: httpPort },
    webadmin: { enable: false },
    store: { path: join(dir, 'data') },
    record: { auto: false, path: join(dir, 'record') },
    notify: { url: '' },
  };
}

/**
 * node-media-server 4.x (npm, pure JavaScript) for one path: RTMP in from the run's encode, HTTP-FLV out. It runs as
 * a child process of its own (this Node running its bin/app.js), never inside the lab's process, so its event loop
 * and the lab's do not share a core's time slices any more than the OS makes them.
 */
export class NodeMediaServer extends ManagedServer {
  constructor(private readonly nms: NodeMediaServerOptions) {
    super(nms);
  }

  protected portCount(): number {
    return 2;
  }

  protected async prepare(dir: string, [rtmpPort, httpPort]: number[]): Promise<ServerLaunch> {
    const install = findNodeMediaServer();
    await mkdir(join(dir, 'data'), { recursive: true });
    const configFile = join(dir, 'config.json');
    await writeFile(configFile, `${JSON.stringify(nodeMediaServerConfig(dir, this.options.address, rtmpPort!, httpPort!), null, 2)}\n`);
    return { command: process.execPath, args: [install.entry, '-c', configFile, '--no-admin'] };
  }

  /** Where ffmpeg publishes the path's stream. */
  get ingestUrl(): string {
    return `rtmp://${this.options.address}:${this.ports[0]}/live/${this.nms.stream}`;
  }

  /** The HTTP-FLV stream. */
  get flvUrl(): string {
    return `http://${this.options.address}:${this.ports[1]}/live/${this.nms.stream}.flv`;
  }
}
