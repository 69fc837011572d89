import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ComponentClosedError, NotStartedError, UsageError } from '../../core/errors.ts';

/**
 * `--listen ADDR`: the address remote viewers reach the lab's server (and every origin and relay their pages use) on.
 * It must be an IPv4 address of one of this host's interfaces (the lab binds it; a name would hide which one).
 * Returns the warning to print for anything but loopback (undefined for loopback): the player pages and the media are
 * then served to whoever can reach that address; signaling and WHEP still need each viewer's own token.
 */
export function checkListenAddress(address: string, interfaces = networkInterfaces()): string | undefined {
  if (isIP(address) !== 4) throw new UsageError(`--listen: "${address}" is not an IPv4 address; give one of this host's addresses (default 127.0.0.1)`);
  const own = Object.values(interfaces).flatMap((list) => (list ?? []).filter((i) => i.family === 'IPv4').map((i) => i.address));
  if (!own.includes(address)) throw new UsageError(`--listen: ${address} is not an address of this host (it has ${own.join(', ')})`);
  if (address.startsWith('127.')) return undefined;
  return `the lab serves its player pages, media and signaling on ${address} too (--listen): anyone who can reach it can load them; signaling and WHEP still need each viewer's own token`;
}

/**
 * Whether a request's Host header names the address and port it arrived on (or `localhost:<port>` on loopback).
 * A page of another site that got its name pointed at 127.0.0.1 (DNS rebinding) sends its own name as Host and is
 * refused, so it can read nothing from the lab's servers.
 */
export function isAllowedHost(host: string | undefined, localAddress: string | undefined, localPort: number | undefined): boolean {
  if (!host || !localAddress || localPort === undefined) return false;
  const address = localAddress.replace(/^::ffff:/, '');
  const allowed = [`${address}:${localPort}`, ...(localPort === 80 ? [address] : [])]; // port 80: browsers leave it out
  if (address.startsWith('127.')) allowed.push(`localhost:${localPort}`);
  return allowed.includes(host.toLowerCase());
}

/** Answers 403 unless the Host header is the server's own address (see isAllowedHost); returns whether it did. */
export function refuseForeignHost(req: IncomingMessage, res: ServerResponse): boolean {
  if (isAllowedHost(req.headers.host, req.socket.localAddress, req.socket.localPort)) return false;
  res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' }).end('forbidden: the Host header must be this server\'s own address\n');
  return true;
}

/** A route handler: returns true when it took the request. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;

/**
 * The run's one HTTP server, on loopback (plus any lab-made veth address) with an OS-chosen port: player pages and
 * bundles, the HLS origin and WebRTC signaling share one origin, so no CORS is involved. Requests whose Host is not
 * the address they came in on are refused (DNS rebinding).
 */
export class LabServer {
  private server: Server | undefined;
  private readonly handlers: RouteHandler[] = [];
  private readonly extra: Server[] = [];
  private closing: Promise<void> | undefined;

  use(handler: RouteHandler): this {
    this.handlers.push(handler);
    return this;
  }

  async listen(host = '127.0.0.1'): Promise<string> {
    if (this.closing) throw new ComponentClosedError('lab server', `listen on ${host}`);
    const server = createServer((req, res) => this.dispatch(req, res));
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return this.url;
  }

  /**
   * Also serves on `host` (a lab-made veth's host end), with the same routes, on a port of its own (`port`, or any
   * free one); returns that address's URL. close() closes these too.
   */
  async listenAlso(host: string, port = 0): Promise<string> {
    if (this.closing) throw new ComponentClosedError('lab server', `listen on ${host}`);
    const server = createServer((req, res) => this.dispatch(req, res));
    server.keepAliveTimeout = 5000;
    this.extra.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new NotStartedError('lab server', 'its url is known', 'listen()');
    return `http://${address.address}:${address.port}`;
  }

  close(): Promise<void> {
    if (!this.closing) {
      const servers = [this.server, ...this.extra].filter((s): s is Server => s !== undefined);
      this.closing = Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      ).then(() => {});
    }
    return this.closing;
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (refuseForeignHost(req, res)) return;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://lab').pathname;
    } catch {
      res.writeHead(400).end();
      return;
    }
    for (const handler of this.handlers) {
      if (handler(req, res, pathname)) return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}
