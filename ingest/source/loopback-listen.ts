import { createServer, type Server } from 'node:net';

/** A TCP server listening on 127.0.0.1 at a port the OS chose, and that port (ffmpeg connects to it). */
export async function listenOnLoopback(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}
