import { request } from 'node:http';

/** Status of GET `path` on 127.0.0.1:`port` with the Host header set to `host` (what a DNS-rebound page sends). */
export function getWithHost(port: number, host: string, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
