import { randomBytes } from 'node:crypto';
import { LabError } from '../../core/errors.ts';
import type { SessionDescription } from './relay.ts';

/** One message of the Janus API (requests' answers, acks and long-poll events share this shape). */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  plugindata?: { plugin: string; data: Record<string, unknown> & { error?: string; error_code?: number } };
  jsep?: SessionDescription;
  error?: { code: number; reason: string };
  reason?: string;
}

export class JanusApiError extends LabError {
  override name = 'JanusApiError';
}

const REQUEST_TIMEOUT_MS = 5000;
const EVENT_TIMEOUT_MS = 15_000;

function transactionId(): string {
  return randomBytes(8).toString('hex');
}

async function postJson(url: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<JanusMessage> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!response.ok) throw new JanusApiError(`${url}: HTTP ${response.status}`);
  const message = (await response.json()) as JanusMessage;
  if (message.janus === 'error') throw new JanusApiError(`Janus ${String(body.janus)}: ${message.error?.reason ?? 'error'} (${message.error?.code ?? '?'})`);
  return message;
}

/** The plugin's own error inside a success/event message, if any. */
function pluginError(message: JanusMessage): string | undefined {
  const data = message.plugindata?.data;
  return data?.error ? `${data.error} (${data.error_code ?? '?'})` : undefined;
}

/** Janus's server info (GET /janus/info): answers as soon as the HTTP transport is up. */
export async function janusInfo(baseUrl: string): Promise<JanusMessage> {
  const response = await fetch(`${baseUrl}/info`, { signal: AbortSignal.timeout(1000) });
  if (!response.ok) throw new JanusApiError(`${baseUrl}/info: HTTP ${response.status}`);
  return (await response.json()) as JanusMessage;
}

type HandleListener = (message: JanusMessage) => void;

/**
 * One Janus API session over plain HTTP, as a browser using janus.js would hold it: `create`, `attach` a plugin
 * handle, `message` requests (synchronous ones answer at once; asynchronous ones are acked and answered by an event
 * carrying the same transaction), a long-poll loop for events, a `keepalive` timer and `destroy`.
 */
export class JanusSession {
  private readonly waiters = new Map<string, { resolve: (m: JanusMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Map<number, HandleListener>();
  private readonly abort = new AbortController();
  private readonly keepalive: NodeJS.Timeout;
  private destroyed = false;
  private failure: Error | undefined;

  private constructor(readonly baseUrl: string, readonly id: number, keepaliveMs: number) {
    this.keepalive = setInterval(() => {
      void postJson(this.url, { janus: 'keepalive', transaction: transactionId() }, this.abort.signal).catch((err: Error) => this.fail(err));
    }, keepaliveMs);
    void this.poll();
  }

  static async create(baseUrl: string, keepaliveMs = 15_000): Promise<JanusSession> {
    const created = await postJson(baseUrl, { janus: 'create', transaction: transactionId() });
    if (created.data?.id === undefined) throw new JanusApiError('Janus create: no session id');
    return new JanusSession(baseUrl, created.data.id, keepaliveMs);
  }

  private get url(): string {
    return `${this.baseUrl}/${this.id}`;
  }

  get closed(): boolean {
    return this.destroyed;
  }

  /** Attaches a plugin handle; `onEvent` receives the handle's unsolicited events (webrtcup, hangup, media, …). */
  async attach(plugin: string, onEvent?: HandleListener): Promise<number> {
    this.assertOpen();
    const attached = await postJson(this.url, { janus: 'attach', plugin, transaction: transactionId() }, this.abort.signal);
    const handle = attached.data?.id;
    if (handle === undefined) throw new JanusApiError(`Janus attach ${plugin}: no handle id`);
    if (onEvent) this.listeners.set(handle, onEvent);
    return handle;
  }

  /** A synchronous plugin request (create, info, destroy, list): resolves with the plugin's answer data. */
  async request(handle: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.assertOpen();
    const answer = await postJson(`${this.url}/${handle}`, { janus: 'message', transaction: transactionId(), body }, this.abort.signal);
    const error = pluginError(answer);
    if (error) throw new JanusApiError(`Janus ${String(body.request)}: ${error}`);
    if (answer.janus !== 'success' || !answer.plugindata) throw new JanusApiError(`Janus ${String(body.request)}: unexpected answer "${answer.janus}"`);
    return answer.plugindata.data;
  }

  /** An asynchronous plugin request (watch, start): resolves with the event that answers it (and its jsep). */
  async send(handle: number, body: Record<string, unknown>, jsep?: SessionDescription): Promise<JanusMessage> {
    this.assertOpen();
    const transaction = transactionId();
    const answered = new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(transaction);
        reject(new JanusApiError(`Janus ${String(body.request)}: no event within ${EVENT_TIMEOUT_MS} ms`));
      }, EVENT_TIMEOUT_MS);
      this.waiters.set(transaction, { resolve, reject, timer });
    });
    answered.catch(() => {});
    try {
      const ack = await postJson(`${this.url}/${handle}`, { janus: 'message', transaction, body, ...(jsep ? { jsep } : {}) }, this.abort.signal);
      if (ack.janus === 'success' || ack.janus === 'event') this.settle(ack);
    } catch (err) {
      this.settle({ janus: 'error', transaction, reason: (err as Error).message });
    }
    const event = await answered;
    const error = pluginError(event);
    if (error) throw new JanusApiError(`Janus ${String(body.request)}: ${error}`);
    return event;
  }

  /** Tells Janus that the peer has no more candidates (they all came in the SDP). */
  async trickleCompleted(handle: number): Promise<void> {
    this.assertOpen();
    await postJson(`${this.url}/${handle}`, { janus: 'trickle', transaction: transactionId(), candidate: { completed: true } }, this.abort.signal);
  }

  /** Destroys the session on Janus (hanging up its PeerConnections) and stops polling; idempotent, never throws. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const wasHealthy = !this.failure;
    this.shutdown(new JanusApiError('Janus session destroyed'));
    if (wasHealthy) await postJson(this.url, { janus: 'destroy', transaction: transactionId() }).catch(() => {});
  }

  private assertOpen(): void {
    if (this.destroyed) throw this.failure ?? new JanusApiError('Janus session destroyed');
  }

  private fail(err: Error): void {
    if (this.destroyed) return;
    this.failure = err;
    this.shutdown(err);
  }

  private shutdown(reason: Error): void {
    this.destroyed = true;
    clearInterval(this.keepalive);
    this.abort.abort();
    for (const [, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
    }
    this.waiters.clear();
  }

  private settle(message: JanusMessage): void {
    const waiter = message.transaction ? this.waiters.get(message.transaction) : undefined;
    if (!waiter) return;
    this.waiters.delete(message.transaction!);
    clearTimeout(waiter.timer);
    if (message.janus === 'error') waiter.reject(new JanusApiError(message.reason ?? message.error?.reason ?? 'Janus error'));
    else waiter.resolve(message);
  }

  /** Long-polls the session's events until it is destroyed (Janus answers an idle poll after ~30 s with a keepalive). */
  private async poll(): Promise<void> {
    while (!this.destroyed) {
      let events: JanusMessage[];
      try {
        const response = await fetch(`${this.url}?maxev=10&rid=${Date.now()}`, { signal: this.abort.signal });
        if (!response.ok) throw new JanusApiError(`Janus long poll: HTTP ${response.status}`);
        const body = (await response.json()) as JanusMessage | JanusMessage[];
        events = Array.isArray(body) ? body : [body];
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      for (const event of events) {
        if (event.janus === 'error') {
          this.fail(new JanusApiError(`Janus long poll: ${event.error?.reason ?? 'error'}`));
          return;
        }
        if (event.janus === 'keepalive') continue;
        if (event.transaction && this.waiters.has(event.transaction) && event.janus !== 'ack') {
          this.settle(event);
          continue;
        }
        if (event.sender !== undefined) this.listeners.get(event.sender)?.(event);
      }
    }
  }
}
