import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A bearer token's SHA-256: what the signaling and WHIP/WHEP endpoints keep and compare (timingSafeEqual). */
export const tokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * A request body as text, at most `maxBytes`: a larger declared Content-Length, or a body that grows past it, is
 * refused with `refuse(413, why)` (the rest is not read). Shared by the lab's signaling and its WHIP/WHEP endpoints.
 */
export function readBoundedText(req: IncomingMessage, maxBytes: number, refuse: (status: number, message: string) => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(refuse(413, `body of ${declared} bytes is over the ${maxBytes}-byte limit`));
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.pause();
        reject(refuse(413, `body is over the ${maxBytes}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
