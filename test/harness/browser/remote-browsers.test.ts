import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/errors.ts';
import { browserForViewer, checkBrowserEndpoints, hasRemote, parseBrowserList, shownEndpoint } from '../../../harness/browser/remote-browsers.ts';
import { checkListenAddress } from '../../../harness/server/lab-server.ts';
import type { Scenario } from '../../../harness/scenario/schema.ts';
import { viewerPlacement } from '../../../cli/run-command.ts';

/** --browser / `browsers:` and --listen: what is accepted, what is refused (exit 2) before anything starts. */

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function listening(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('remote browser list', () => {
  it('parses local, ws:// and http:// endpoints and deals viewers round-robin per path', () => {
    const list = parseBrowserList(['local', 'ws://10.0.0.2:3000?token=s3cret', 'http://10.0.0.3:9223']);
    expect(list.map((b) => b.kind)).toEqual(['local', 'ws', 'http']);
    expect([0, 1, 2, 3, 4].map((i) => browserForViewer(list, i).kind)).toEqual(['local', 'ws', 'http', 'local', 'ws']);
    expect(browserForViewer(undefined, 3)).toEqual({ kind: 'local' });
    expect(hasRemote(list)).toBe(true);
    expect(hasRemote(parseBrowserList(['local']))).toBe(false);
    // A browserless token is never printed.
    expect(shownEndpoint(list[1]!)).not.toContain('s3cret');
  });

  it('refuses what is not a CDP endpoint URL, naming the value and what is allowed', () => {
    expect(() => parseBrowserList(['chrome'])).toThrow(/--browser: "chrome" is not a URL; allowed: local, ws:\/\//);
    expect(() => parseBrowserList(['ftp://10.0.0.2:21'], 'browsers')).toThrow(/browsers: "ftp:" .* not allowed/);
    expect(() => parseBrowserList(['ws://10.0.0.2'])).toThrow(/names no port/);
    expect(() => parseBrowserList(['ws://10.0.0.2'])).toThrow(UsageError);
  });

  it('names an endpoint that does not answer, or answers but is no DevTools endpoint', async () => {
    const closedPort = await listening(() => {});
    await new Promise((r) => servers.pop()!.close(r)); // nothing listens there any more
    const notCdp = await listening((_req, res) => res.writeHead(404).end('no'));
    const refused = checkBrowserEndpoints(parseBrowserList([`ws://127.0.0.1:${closedPort}?token=t0k`, `http://127.0.0.1:${notCdp}`, 'local']));
    await expect(refused).rejects.toThrow(UsageError);
    const message = await refused.catch((err: Error) => err.message);
    expect(message).toContain(`ws://127.0.0.1:${closedPort}/?token=%E2%80%A6: unreachable (connect ECONNREFUSED`);
    expect(message).toContain(`http://127.0.0.1:${notCdp}/: /json/version answered 404 without a webSocketDebuggerUrl`);
    expect(message).not.toContain('local');
    // A real Chrome debugging endpoint is accepted: test/e2e/clock-offset.test.ts (a Chromium behind a forwarder).
  });
});

describe('where viewers run, from the scenario or the command line', () => {
  const scenario = (browsers?: string[]) => ({ ...(browsers ? { browsers } : {}) }) as unknown as Scenario;
  it('resolves ${env:NAME} in the scenario’s browsers, lets --browser override them, and needs --listen for a remote one', async () => {
    const withEnv = scenario(['local', 'ws://10.0.0.2:3000?token=${env:LAB_TEST_BROWSERLESS_TOKEN}']);
    delete process.env.LAB_TEST_BROWSERLESS_TOKEN;
    await expect(viewerPlacement(withEnv, {})).rejects.toThrow(/browsers\[1\]: environment variable LAB_TEST_BROWSERLESS_TOKEN is not set/);
    process.env.LAB_TEST_BROWSERLESS_TOKEN = 'secret';
    try {
      await expect(viewerPlacement(withEnv, {})).rejects.toThrow(/a remote browser needs --listen/);
      await expect(viewerPlacement(withEnv, { listen: '127.0.0.1' })).rejects.toThrow(/--listen 127\.0\.0\.1 is loopback/);
      expect(await viewerPlacement(withEnv, { browser: ['local'] })).toEqual({ browsers: [{ kind: 'local' }] });
      expect(await viewerPlacement(scenario(), {})).toEqual({});
    } finally {
      delete process.env.LAB_TEST_BROWSERLESS_TOKEN;
    }
  });
});

describe('--listen', () => {
  const interfaces = { lo: [{ address: '127.0.0.1', family: 'IPv4' }], eth0: [{ address: '10.1.2.3', family: 'IPv4' }] } as unknown as Parameters<typeof checkListenAddress>[1];
  it('accepts this host’s addresses, warning for anything but loopback', () => {
    expect(checkListenAddress('127.0.0.1', interfaces)).toBeUndefined();
    expect(checkListenAddress('10.1.2.3', interfaces)).toMatch(/on 10\.1\.2\.3 too \(--listen\).*each viewer's own token/);
  });
  it('refuses a name, an IPv6 or a foreign address', () => {
    expect(() => checkListenAddress('lab.example', interfaces)).toThrow(/--listen: "lab.example" is not an IPv4 address/);
    expect(() => checkListenAddress('0.0.0.0', interfaces)).toThrow(/0\.0\.0\.0 is not an address of this host \(it has 127\.0\.0\.1, 10\.1\.2\.3\)/);
  });
});
