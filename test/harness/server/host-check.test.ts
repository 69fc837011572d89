import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowedHost, LabServer } from '../../../harness/server/lab-server.ts';
import { getWithHost } from '../../support/host-request.ts';

describe('Host header check (DNS rebinding)', () => {
  it('allows only the address and port the request came in on, or localhost on loopback', () => {
    expect(isAllowedHost('127.0.0.1:8080', '127.0.0.1', 8080)).toBe(true);
    expect(isAllowedHost('localhost:8080', '127.0.0.1', 8080)).toBe(true);
    expect(isAllowedHost('LOCALHOST:8080', '::ffff:127.0.0.1', 8080)).toBe(true);
    expect(isAllowedHost('10.201.0.1:8080', '10.201.0.1', 8080)).toBe(true);
    expect(isAllowedHost('localhost:8080', '10.201.0.1', 8080)).toBe(false);
    expect(isAllowedHost('attacker.example:8080', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost('127.0.0.1', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost('127.0.0.1:9090', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost(undefined, '127.0.0.1', 8080)).toBe(false);
    // Port 80 (a udp-blocked path's server): browsers send the bare address.
    expect(isAllowedHost('10.201.0.1', '10.201.0.1', 80)).toBe(true);
    expect(isAllowedHost('10.201.0.1:80', '10.201.0.1', 80)).toBe(true);
    expect(isAllowedHost('attacker.example', '10.201.0.1', 80)).toBe(false);
  });

  describe('the run server', () => {
    const server = new LabServer();
    let port = 0;
    beforeAll(async () => {
      server.use((_req, res, p) => (p === '/hello' ? (res.writeHead(200).end('hi'), true) : false));
      port = Number(new URL(await server.listen()).port);
    });
    afterAll(() => server.close());

    it('answers its own address and refuses a rebound name with 403 before any route', async () => {
      expect(await getWithHost(port, `127.0.0.1:${port}`, '/hello')).toBe(200);
      expect(await getWithHost(port, `localhost:${port}`, '/hello')).toBe(200);
      expect(await getWithHost(port, `attacker.example:${port}`, '/hello')).toBe(403);
      expect(await getWithHost(port, `attacker.example:${port}`, '/nothing')).toBe(403);
      expect((await fetch(`${server.url}/hello`)).status).toBe(200); // what the viewers' pages do
    });
  });
});
