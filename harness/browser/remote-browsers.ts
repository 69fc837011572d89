import { connect as tcpConnect } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer';
import { labDefaults } from '../../core/defaults.ts';
import { ComponentDiedError, UsageError } from '../../core/errors.ts';

/**
 * Where a viewer's page runs: `local` (the Chromium the lab starts on this host), or a remote Chrome DevTools
 * endpoint — `ws://…` / `wss://…` is puppeteer's browserWSEndpoint (browserless: `ws://host:port?token=…`, each
 * connection its own Chromium), `http://…` / `https://…` a browserURL whose `/json/version` names the endpoint (a
 * Chrome with a reachable debugging port, e.g. behind a TCP forwarder).
 */
export type BrowserEndpoint = { kind: 'local' } | { kind: 'ws' | 'http'; url: string };

export const LOCAL_BROWSER: BrowserEndpoint = { kind: 'local' };

/** The URL as it may be printed: a `token` query parameter (browserless) or credentials are hidden. */
export function shownEndpoint(endpoint: BrowserEndpoint): string {
  if (endpoint.kind === 'local') return 'local';
  const url = new URL(endpoint.url);
  if (url.searchParams.has('token')) url.searchParams.set('token', '…');
  if (url.password) url.password = '…';
  return url.toString();
}

/** Parses `--browser` values / the scenario's `browsers:` list; refuses anything but local, ws(s):// and http(s)://. */
export function parseBrowserList(values: readonly string[], field = '--browser'): BrowserEndpoint[] {
  return values.map((value) => {
    if (value === 'local') return LOCAL_BROWSER;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${field}: "${value}" is not a URL; allowed: local, ws://host:port[/path][?token=…] (a CDP browserWSEndpoint, e.g. browserless) or http://host:port (a Chrome debugging port)`);
    }
    const kind = url.protocol === 'ws:' || url.protocol === 'wss:' ? 'ws' : url.protocol === 'http:' || url.protocol === 'https:' ? 'http' : null;
    if (!kind) throw new UsageError(`${field}: "${url.protocol}" in ${shownEndpoint({ kind: 'ws', url: value })} is not allowed; allowed: local, ws://, wss://, http://, https://`);
    if (!url.port && !['wss:', 'https:'].includes(url.protocol)) throw new UsageError(`${field}: ${shownEndpoint({ kind, url: value })} names no port (a debugging endpoint has no default port)`);
    return { kind, url: value };
  });
}

/**
 * Which browser runs viewer `viewerIndex` of a path: the list is dealt round-robin, per path, from its first entry
 * (v0 on browsers[0], v1 on browsers[1], …, wrapping). With no list every viewer is local.
 */
export function browserForViewer(browsers: readonly BrowserEndpoint[] | undefined, viewerIndex: number): BrowserEndpoint {
  if (!browsers?.length) return LOCAL_BROWSER;
  return browsers[viewerIndex % browsers.length]!;
}

/** Whether any viewer runs in a remote browser. */
export function hasRemote(browsers: readonly BrowserEndpoint[] | undefined): boolean {
  return (browsers ?? []).some((b) => b.kind !== 'local');
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err) => done(err.message));
  });
}

/**
 * Checks every remote endpoint before anything starts: an http:// one must answer `/json/version` with a
 * webSocketDebuggerUrl (a DevTools endpoint); a ws:// one must accept a TCP connection (opening a CDP session on
 * browserless would start a Chromium). Throws a UsageError naming each endpoint that cannot be used.
 */
export async function checkBrowserEndpoints(browsers: readonly BrowserEndpoint[], timeoutMs = 3000): Promise<void> {
  const problems = await Promise.all(
    browsers.map(async (endpoint): Promise<string | null> => {
      if (endpoint.kind === 'local') return null;
      const url = new URL(endpoint.url);
      const shown = shownEndpoint(endpoint);
      if (endpoint.kind === 'ws') {
        const port = Number(url.port || 443);
        const problem = await tcpReachable(url.hostname.replace(/^\[|\]$/g, ''), port, timeoutMs);
        return problem ? `${shown}: unreachable (${problem})` : null;
      }
      try {
        const res = await fetch(new URL('/json/version', url), { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.json().catch(() => null)) as { webSocketDebuggerUrl?: unknown } | null;
        if (!res.ok || typeof body?.webSocketDebuggerUrl !== 'string') return `${shown}: /json/version answered ${res.status} without a webSocketDebuggerUrl (not a Chrome debugging endpoint)`;
        return null;
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        return `${shown}: unreachable (${cause})`;
      }
    }),
  );
  const found = problems.filter((p): p is string => p !== null);
  if (found.length) throw new UsageError('a remote browser cannot be used:', found);
}

/**
 * A CDP connection to a remote browser for one viewer. The lab does not own that browser: it opens a context and a
 * page on it and, when done, closes them and disconnects (browserless ends its per-connection Chromium then).
 */
export async function connectRemote(endpoint: BrowserEndpoint & { kind: 'ws' | 'http' }): Promise<Browser> {
  try {
    return await puppeteer.connect({
      ...(endpoint.kind === 'ws' ? { browserWSEndpoint: endpoint.url } : { browserURL: endpoint.url }),
      protocolTimeout: labDefaults.protocolTimeoutMs,
      defaultViewport: null,
    });
  } catch (err) {
    throw new ComponentDiedError(`remote browser ${shownEndpoint(endpoint)}`, `could not connect: ${(err as Error).message.split('\n')[0]}`);
  }
}
