import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/** A TCP port the OS reports free on `address` right now (bound, read, released: a small race, retried by callers). */
export function freeTcpPort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A UDP port the OS reports free on `address` right now. */
export function freeUdpPort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * A bounded port range for a media server's own sockets (ICE, relay allocations, RTP ingest): `size` ports starting
 * at a random multiple of `size` in 20000–32767, below Linux's ephemeral range (32768–60999) where the OS hands out
 * werift's and Chromium's ports. Servers retry inside their range when a port is taken.
 */
export function portBlock(size = 100): { min: number; max: number } {
  const first = 20_000;
  const blocks = Math.floor((32_768 - first) / size);
  const min = first + randomInt(blocks) * size;
  return { min, max: min + size - 1 };
}
