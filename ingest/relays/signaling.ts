import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Relay, SessionDescription } from './relay.ts';

const MAX_BODY = 256 * 1024;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * HTTP signaling for WebRTC viewers (no trickle: offers carry all candidates):
 *   POST /signal/<pathId>/<viewerId>/offer            → the relay's offer {type, sdp}
 *   POST /signal/<pathId>/<viewerId>/answer {type,sdp} → 204
 */
export class SignalingHandler {
  constructor(private readonly relays: Map<string, Relay>) {}

  /** Handles the request if it is a signaling URL; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const match = /^\/signal\/([a-z0-9-]+)\/([a-z0-9-]+)\/(offer|answer)$/.exec(pathname);
    if (!match) return false;
    const [, pathId, viewerId, step] = match as unknown as [string, string, string, 'offer' | 'answer'];
    const relay = this.relays.get(pathId);
    // Another path's handler (each WebRTC path registers its own) or, failing all, the server's 404 takes it.
    if (!relay) return false;
    if (req.method !== 'POST') {
      send(res, 405, { error: 'use POST' });
      return true;
    }
    void (async () => {
      try {
        if (step === 'offer') {
          send(res, 200, await relay.subscribe(viewerId));
        } else {
          const body = (await readJson(req)) as Partial<SessionDescription>;
          if (body.type !== 'answer' || typeof body.sdp !== 'string') {
            send(res, 400, { error: 'expected {"type":"answer","sdp":"..."}' });
            return;
          }
          await relay.answer(viewerId, { type: 'answer', sdp: body.sdp });
          res.writeHead(204).end();
        }
      } catch (err) {
        send(res, 500, { error: (err as Error).message });
      }
    })();
    return true;
  }
}
