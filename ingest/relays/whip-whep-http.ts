import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError } from '../../core/errors.ts';
import { readBoundedText, tokenHash as hash } from './request-body.ts';
import type { IceCandidateInit } from './werift-relay.ts';

/** Largest SDP offer or trickle fragment accepted (an offer with every candidate is a few KiB). */
export const MAX_SDP_BODY = 64 * 1024;

/**
 * The WebRTC side of a WHIP or WHEP endpoint: takes the client's offer and answers it (all of its own candidates
 * in the answer), takes the client's trickled candidates, ends a session. `endpoint` is the endpoint name the offer
 * was posted to ('' for the bare endpoint URL).
 */
export interface SdpSessionBackend {
  accept(sessionId: string, offerSdp: string, endpoint: string): Promise<string>;
  addCandidate(sessionId: string, candidate: IceCandidateInit): Promise<void>;
  end(sessionId: string): Promise<void>;
}

/** What the server side saw, request by request (the e2e test checks the PATCHes and the DELETE from here). */
export interface WhipWhepRecord {
  method: string;
  sessionId: string | null;
  status: number;
  /** PATCH: candidates in the fragment, and whether it ended them (a=end-of-candidates). */
  candidates?: number;
  endOfCandidates?: boolean;
}

export interface WhipWhepOptions {
  /** 'whip' (publishers) or 'whep' (viewers): only named in messages and in the Link/Accept-Post headers. */
  protocol: 'whip' | 'whep';
  /** URL path of the endpoint, e.g. /whep/webrtc-h264; `<prefix>/<name>` are named endpoints (one per viewer). */
  prefix: string;
  backend: SdpSessionBackend;
  /** The bearer token an endpoint requires (undefined: none); a named endpoint may have its own, see admit(). */
  token?: string;
  /** Answer CORS preflights and expose Location to pages of any origin (a server the lab's pages reach from another origin). */
  cors?: boolean;
  /** Sessions at most (413 beyond: the offer is refused before the backend is touched). */
  maxSessions?: number;
}

/** A refusal with its HTTP status; never reaches the backend. */
export class WhipWhepRefusal extends LabError {
  override name = 'WhipWhepRefusal';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The media type of a request, without parameters, lower case. */
const mediaType = (req: IncomingMessage): string => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** The request body as text, at most MAX_SDP_BODY bytes (413 beyond). */
const readText = (req: IncomingMessage): Promise<string> => readBoundedText(req, MAX_SDP_BODY, (status, message) => new WhipWhepRefusal(status, message));

/**
 * A trickle-ice-sdpfrag (RFC 8840) as candidates: each `a=candidate:` under the `a=mid:` before it; `a=ice-ufrag`
 * must be the session's (another ufrag is an ICE restart, which this server does not do: 422).
 */
export function parseSdpFragment(fragment: string, sessionUfrag: string | null): { candidates: IceCandidateInit[]; end: boolean } {
  const candidates: IceCandidateInit[] = [];
  let mid: string | null = null;
  let mLine = -1;
  let end = false;
  for (const line of fragment.split(/\r?\n/)) {
    if (line.startsWith('a=ice-ufrag:') && sessionUfrag !== null && line.slice(12).trim() !== sessionUfrag) {
      throw new WhipWhepRefusal(422, 'ICE restart (a new ice-ufrag) is not supported by this endpoint');
    }
    if (line.startsWith('m=')) mLine++;
    else if (line.startsWith('a=mid:')) mid = line.slice(6).trim();
    else if (line.startsWith('a=end-of-candidates')) end = true;
    else if (line.startsWith('a=candidate:')) {
      if (line.length > 1024) throw new WhipWhepRefusal(400, 'a candidate line is over 1024 characters');
      if (!/^a=candidate:\S+ \d+ (udp|tcp) \d+ \S+ \d+ typ \S+/i.test(line)) throw new WhipWhepRefusal(400, `malformed candidate line: ${line.slice(0, 120)}`);
      candidates.push({ candidate: line.slice(2), sdpMid: mid, sdpMLineIndex: mid === null ? Math.max(mLine, 0) : null });
    }
  }
  if (candidates.length > 64) throw new WhipWhepRefusal(400, 'more than 64 candidates in one fragment');
  return { candidates, end };
}

interface SessionEntry {
  endpoint: string;
  tokenHash: Buffer | null;
  ufrag: string | null;
}

/**
 * A WHIP (RFC 9725) or WHEP endpoint over node:http, the lab's and the e2e test's "external server" alike:
 *   POST <prefix>[/<name>]   application/sdp offer → 201, application/sdp answer, Location: <prefix>/sessions/<id>
 *   PATCH <session>          application/trickle-ice-sdpfrag → 204 (candidates to the backend; 422 on ICE restart)
 *   DELETE <session>         → 200, the session ended
 *   OPTIONS                  → 204 with Accept-Post (and CORS headers with `cors`)
 * Every request carries `authorization: Bearer <token>` when the endpoint has one (401 without, 403 for a wrong one);
 * a session's PATCH and DELETE need the token its POST used. 415 for another content type, 400 for a body that is
 * not an SDP offer, 404 for an unknown session, 405 for another method. Refusals are answered before the backend is
 * touched; `records` keeps every request's method, session and status.
 */
export class WhipWhepEndpoint {
  readonly records: WhipWhepRecord[] = [];
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly named = new Map<string, Buffer>();

  constructor(private readonly options: WhipWhepOptions) {}

  /** Opens the named endpoint `<prefix>/<name>` with its own token (256 random bits), returned; its URL path too. */
  admit(name: string): { path: string; token: string } {
    const token = randomBytes(32).toString('base64url');
    this.named.set(name, hash(token));
    return { path: `${this.options.prefix}/${name}`, token };
  }

  /** Handles the request if its path is this endpoint's; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const { prefix } = this.options;
    if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return false;
    const rest = pathname.slice(prefix.length);
    const session = /^\/sessions\/([A-Za-z0-9_-]{1,64})$/.exec(rest)?.[1];
    const name = session ? undefined : rest === '' ? '' : /^\/([a-z0-9-]{1,64})$/.exec(rest)?.[1];
    if (session === undefined && name === undefined) return false;
    void this.serve(req, res, session, name ?? '').catch((err: unknown) => {
      const status = err instanceof WhipWhepRefusal ? err.status : 500;
      this.records.push({ method: req.method ?? '', sessionId: session ?? null, status });
      if (status === 401) res.setHeader('www-authenticate', 'Bearer');
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain', ...this.corsHeaders(req), connection: 'close' });
      res.end(`${this.options.protocol}: ${(err as Error).message}\n`);
    });
    return true;
  }

  private corsHeaders(req: IncomingMessage): Record<string, string> {
    if (!this.options.cors) return {};
    return {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-expose-headers': 'location, etag, link, accept-patch',
      vary: 'origin',
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, sessionId: string | undefined, name: string): Promise<void> {
    const method = req.method ?? '';
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...this.corsHeaders(req),
        ...(sessionId ? {} : { 'accept-post': 'application/sdp' }),
        ...(this.options.cors ? { 'access-control-allow-methods': 'POST, PATCH, DELETE, OPTIONS', 'access-control-allow-headers': 'authorization, content-type, if-match', 'access-control-max-age': '600' } : {}),
      });
      res.end();
      return;
    }
    const allowed = sessionId ? ['PATCH', 'DELETE'] : ['POST'];
    if (!allowed.includes(method)) {
      res.setHeader('allow', [...allowed, 'OPTIONS'].join(', '));
      throw new WhipWhepRefusal(405, `use ${allowed.join(' or ')} on this URL`);
    }
    if (sessionId === undefined) return this.offer(req, res, name);
    const session = this.sessions.get(sessionId);
    this.authorize(req, session?.tokenHash ?? this.tokenHashOf(session?.endpoint ?? name));
    if (!session) throw new WhipWhepRefusal(404, `no session ${sessionId}`);
    if (method === 'DELETE') {
      this.sessions.delete(sessionId);
      await this.options.backend.end(sessionId);
      this.records.push({ method, sessionId, status: 200 });
      res.writeHead(200, { ...this.corsHeaders(req), 'cache-control': 'no-store' }).end();
      return;
    }
    if (mediaType(req) !== 'application/trickle-ice-sdpfrag') throw new WhipWhepRefusal(415, 'PATCH takes content-type application/trickle-ice-sdpfrag');
    const fragment = parseSdpFragment(await readText(req), session.ufrag);
    for (const candidate of fragment.candidates) await this.options.backend.addCandidate(sessionId, candidate);
    this.records.push({ method, sessionId, status: 204, candidates: fragment.candidates.length, endOfCandidates: fragment.end });
    res.writeHead(204, { ...this.corsHeaders(req), 'cache-control': 'no-store' }).end();
  }

  private async offer(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const tokenHash = this.tokenHashOf(name);
    if (name !== '' && !this.named.has(name)) throw new WhipWhepRefusal(404, `no endpoint ${this.options.prefix}/${name}`);
    this.authorize(req, tokenHash);
    if (mediaType(req) !== 'application/sdp') throw new WhipWhepRefusal(415, 'POST takes content-type application/sdp (an SDP offer)');
    const sdp = await readText(req);
    if (!/^v=0\r?\n/.test(sdp) || !/^m=video /m.test(sdp)) throw new WhipWhepRefusal(400, 'body is not an SDP offer with a video m-line');
    if (this.sessions.size >= (this.options.maxSessions ?? 64)) throw new WhipWhepRefusal(503, `endpoint is full (${this.sessions.size} sessions)`);
    const sessionId = randomBytes(16).toString('base64url');
    const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null;
    this.sessions.set(sessionId, { endpoint: name, tokenHash, ufrag });
    let answer: string;
    try {
      answer = await this.options.backend.accept(sessionId, sdp, name);
    } catch (err) {
      this.sessions.delete(sessionId);
      throw err instanceof WhipWhepRefusal ? err : new WhipWhepRefusal(400, `offer not accepted: ${(err as Error).message}`);
    }
    this.records.push({ method: 'POST', sessionId, status: 201 });
    res.writeHead(201, {
      ...this.corsHeaders(req),
      'content-type': 'application/sdp',
      location: `${this.options.prefix}/sessions/${sessionId}`,
      'accept-patch': 'application/trickle-ice-sdpfrag',
      'cache-control': 'no-store',
    });
    res.end(answer);
  }

  /** The token hash a request to endpoint `name` must carry: the named endpoint's own, else the endpoint's, else none. */
  private tokenHashOf(name: string): Buffer | null {
    if (name !== '') return this.named.get(name) ?? null;
    return this.options.token === undefined ? null : hash(this.options.token);
  }

  /** 401 without a bearer token where one is needed, 403 with another one. */
  private authorize(req: IncomingMessage, expected: Buffer | null): void {
    if (expected === null) return;
    const token = /^Bearer (\S{1,4096})$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw new WhipWhepRefusal(401, 'authorization: Bearer <token> required');
    if (!timingSafeEqual(hash(token), expected)) throw new WhipWhepRefusal(403, 'this token does not open this endpoint');
  }
}
