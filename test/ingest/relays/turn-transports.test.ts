import { describe, expect, it } from 'vitest';
import { turnserverArgs } from '../../../ingest/relays/turn-server.ts';

const base = { addresses: ['127.0.0.1', '10.213.0.5'], port: 40000, relayPorts: { min: 50000, max: 50099 }, secret: 's', dir: '/tmp/x' };

describe('coturn arguments per TURN transport', () => {
  it('UDP only by default: no TCP, TLS or DTLS listener', () => {
    const args = turnserverArgs(base);
    expect(args).toEqual(expect.arrayContaining(['--no-tcp', '--no-tls', '--no-dtls', '--no-tcp-relay']));
    expect(args.some((a) => a.startsWith('--tls-listening-port') || a.startsWith('--cert'))).toBe(false);
  });

  it('tcp: TURN clients over TCP on the same port; relaying to peers stays UDP', () => {
    const args = turnserverArgs({ ...base, tcp: true });
    expect(args).not.toContain('--no-tcp');
    expect(args).toContain('--no-tcp-relay');
    expect(args).toContain('--no-tls');
  });

  it('tls: a TLS listener with the run certificate and key, TLS 1.2+ only', () => {
    const args = turnserverArgs({ ...base, tls: { port: 40001, cert: '/tmp/x/c.pem', key: '/tmp/x/k.pem' } });
    expect(args).toEqual(expect.arrayContaining(['--tls-listening-port=40001', '--cert=/tmp/x/c.pem', '--pkey=/tmp/x/k.pem', '--no-tlsv1', '--no-tlsv1_1', '--no-tcp', '--no-dtls']));
    expect(args).not.toContain('--no-tls');
  });
});
