import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidOptionError, LabError } from '../../core/errors.ts';
import type { Relay, SessionDescription } from './relay.ts';
import { readBoundedText, tokenHash as hash } from './request-body.ts';
import type { IceCandidateInit } from './werift-relay.ts';

/** Largest signaling body accepted (an SDP answer with every candidate is a few KiB). */
export const MAX_SIGNAL_BODY = 64 * 1024;

/** One viewer's right to signal: its token (as a SHA-256, compared in constant time) and how far it got. */
interface Session {
  tokenHash: Buffer;
  step: 'issued' | 'offered' | 'answered';
  /** The offer was asked for with `{"trickle":true}`: candidates go through the candidates routes. */
  trickle?: boolean;
}

/** A relay that trickles ICE (werift): offers before gathering, hands out and takes candidates one by one. */
interface TrickleRelay extends Relay {
  subscribe(viewerId: string, options?: { trickle?: boolean }): Promise<SessionDescription>;
  takeCandidates(viewerId: string, waitMs: number): Promise<{ candidates: IceCandidateInit[]; done: boolean }>;
  addCandidate(viewerId: string, candidate: IceCandidateInit): Promise<void>;
}

const canTrickle = (relay: Relay): relay is TrickleRelay => typeof (relay as Partial<TrickleRelay>).takeCandidates === 'function';

/** How long a relay-candidates request waits for the next candidate before answering with none (ms). */
const CANDIDATE_POLL_MS = 5000;
/** At most this many candidates per request, each candidate line at most 1 KiB. */
const MAX_CANDIDATES = 64;

/** `{"candidates":[{candidate, sdpMid?, sdpMLineIndex?}, …]}` checked field by field (400 otherwise). */
function parseCandidates(body: Record<string, unknown>): IceCandidateInit[] {
  const list = body.candidates;
  if (!Array.isArray(list) || list.length > MAX_CANDIDATES) throw new Refusal(400, `expected {"candidates":[…]} with at most ${MAX_CANDIDATES} entries`);
  return list.map((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    const ok =
      typeof o.candidate === 'string' && o.candidate.length <= 1024 &&
      (o.sdpMid === undefined || o.sdpMid === null || typeof o.sdpMid === 'string') &&
      (o.sdpMLineIndex === undefined || o.sdpMLineIndex === null || Number.isInteger(o.sdpMLineIndex));
    if (!ok) throw new Refusal(400, `candidates[${i}]: expected {candidate: string, sdpMid?: string, sdpMLineIndex?: integer}`);
    return { candidate: o.candidate as string, sdpMid: (o.sdpMid as string | null | undefined) ?? null, sdpMLineIndex: (o.sdpMLineIndex as number | null | undefined) ?? null };
  });
}

/** A refusal with its HTTP status; never reaches the relay. */
class Refusal extends LabError {
  override name = 'SignalingRefusal';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Step = 'offer' | 'answer' | 'candidates' | 'relay-candidates';

function send(res: ServerResponse, status: number, body: unknown): void {
  // No access-control-* header, ever: a page of another origin cannot read an answer or pass a preflight.
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...(status >= 400 ? { connection: 'close' } : {}) });
  res.end(JSON.stringify(body));
}

/** The request body, at most MAX_SIGNAL_BODY bytes (413 beyond), parsed as a JSON object (400 otherwise). */
async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBoundedText(req, MAX_SIGNAL_BODY, (status, message) => new Refusal(status, message));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Refusal(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/** `application/json`, with or without parameters (charset); anything else could come from a cross-origin simple request. */
function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * HTTP signaling for WebRTC viewers, one session per viewer:
 *   POST /signal/<pathId>/<viewerId>/offer  {} or {trickle:true} → the relay's offer {type, sdp}
 *   POST /signal/<pathId>/<viewerId>/answer {type:"answer",sdp}   → 204
 * Without trickle the offer and the answer carry all candidates. With trickle (relays that support it: werift) the
 * offer comes before gathering, and after it:
 *   POST …/relay-candidates {}                  → {candidates:[…], done} (waits up to 5 s for the next ones)
 *   POST …/candidates {candidates:[…]}          → 204 (the viewer's own, as it finds them)
 * Every request carries `authorization: Bearer <token>`, the viewer's unguessable token from admit() (the harness
 * hands it to the page in its PlayerConfig), and `content-type: application/json`. A session offers once and
 * answers once: an unknown or wrong token is refused with 403, a repeated step with 409, before the relay is
 * touched, so nobody else can replace or close a running viewer's connection. Bodies: JSON objects of at most
 * 64 KiB (400, 413); no CORS headers (a cross-origin page can neither send the headers nor read an answer).
 */
export class SignalingHandler {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly relays: Map<string, Relay>) {}

  /**
   * Opens viewer `viewerId`'s session on path `pathId` and returns its token (256 random bits). A viewer gets one
   * session; admitting it again before it signalled replaces the unused token, afterwards it is an error.
   */
  admit(pathId: string, viewerId: string): string {
    if (!this.relays.has(pathId)) throw new InvalidOptionError(`signaling: no relay for path ${pathId}; paths with a relay: ${[...this.relays.keys()].join(', ') || 'none'}`);
    const key = `${pathId}/${viewerId}`;
    const existing = this.sessions.get(key);
    if (existing && existing.step !== 'issued') throw new InvalidOptionError(`signaling: viewer ${key} already signalled; a viewer gets one session`);
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(key, { tokenHash: hash(token), step: 'issued' });
    return token;
  }

  /** Handles the request if it is a signaling URL of one of its paths; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const match = /^\/signal\/([a-z0-9-]+)\/([a-z0-9-]+)\/(offer|answer|candidates|relay-candidates)$/.exec(pathname);
    if (!match) return false;
    const [, pathId, viewerId, step] = match as unknown as [string, string, string, Step];
    const relay = this.relays.get(pathId);
    // Another path's handler (each WebRTC path registers its own) or, failing all, the server's 404 takes it.
    if (!relay) return false;
    void this.serve(req, res, relay, `${pathId}/${viewerId}`, viewerId, step).catch((err: unknown) => {
      if (err instanceof Refusal) send(res, err.status, { error: err.message });
      else send(res, 500, { error: (err as Error).message });
    });
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, relay: Relay, key: string, viewerId: string, step: Step): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      throw new Refusal(405, 'use POST');
    }
    if (!isJson(req)) throw new Refusal(415, 'content-type must be application/json');
    const session = this.authorize(req, key);
    const body = await readJsonObject(req);
    if (step === 'offer') {
      if (session.step !== 'issued') throw new Refusal(409, `viewer ${key} already has its offer`);
      const trickle = body.trickle === true;
      if (trickle && !canTrickle(relay)) throw new Refusal(400, `relay ${relay.name} does not trickle ICE candidates`);
      session.step = 'offered'; // before the await: a concurrent second offer is refused, not served
      session.trickle = trickle;
      send(res, 200, trickle && canTrickle(relay) ? await relay.subscribe(viewerId, { trickle }) : await relay.subscribe(viewerId));
      return;
    }
    if (step === 'candidates' || step === 'relay-candidates') {
      if (!session.trickle || !canTrickle(relay) || session.step === 'issued') throw new Refusal(409, `viewer ${key} has no trickle offer`);
      if (step === 'relay-candidates') {
        send(res, 200, await relay.takeCandidates(viewerId, CANDIDATE_POLL_MS));
        return;
      }
      for (const candidate of parseCandidates(body)) await relay.addCandidate(viewerId, candidate);
      res.writeHead(204, { 'cache-control': 'no-store' }).end();
      return;
    }
    if (body.type !== 'answer' || typeof body.sdp !== 'string') throw new Refusal(400, 'expected {"type":"answer","sdp":"..."}');
    if (session.step !== 'offered') throw new Refusal(409, session.step === 'issued' ? `viewer ${key} has no offer yet` : `viewer ${key} already answered`);
    session.step = 'answered';
    await relay.answer(viewerId, { type: 'answer', sdp: body.sdp });
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
  }

  /** The viewer's session if the request carries its token; 403 for a missing, unknown or another viewer's token. */
  private authorize(req: IncomingMessage, key: string): Session {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header)?.[1];
    const session = this.sessions.get(key);
    if (!token || !session || !timingSafeEqual(hash(token), session.tokenHash)) {
      throw new Refusal(403, `no session for viewer ${key} with this token`);
    }
    return session;
  }
}
