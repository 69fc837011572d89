import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { WeriftRelay } from '../../ingest/relays/werift-relay.ts';
import { WeriftWhepBackend, WeriftWhipIngest } from '../../ingest/relays/werift-whip-whep.ts';
import { WhipWhepEndpoint } from '../../ingest/relays/whip-whep-http.ts';
import { runLab } from '../support/lab-cli.ts';

/**
 * Publish → relay → WHEP, end to end and for real: ffmpeg's encode goes to the lab's WHIP publisher (werift), which
 * publishes it to a werift relay that this test runs as "an external server" (its own HTTP server, its own port, a
 * bearer token) and hands to the lab only as a WHIP URL and a WHEP URL; Chromium plays it by WHEP from another
 * origin (CORS). The server side records every request: the test asserts the PATCH of each viewer's candidates, the
 * publisher's DELETE at the end, and the frames and latency the lab measured. Run it under the heavy-job lock.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-whip-whep-'));
const TOKEN_VAR = 'LAB_TEST_WHIP_TOKEN';
const token = randomBytes(12).toString('hex');
const relay = new WeriftRelay({ pathId: 'external', codec: 'h264', hostAddresses: ['127.0.0.1'] });
const ingest = new WeriftWhipIngest(relay);
const whip = new WhipWhepEndpoint({ protocol: 'whip', prefix: '/whip/live', backend: ingest, token });
const whep = new WhipWhepEndpoint({ protocol: 'whep', prefix: '/whep/live', backend: new WeriftWhepBackend(relay), token, cors: true });
let server: Server;
let base = '';
let results: Results;
let stderr = '';
let code: number | null = null;

beforeAll(async () => {
  await relay.start();
  server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (!whip.handle(req, res, pathname) && !whep.handle(req, res, pathname)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  process.env[TOKEN_VAR] = token;
  const file = join(dir, 'whip-whep-e2e.yaml');
  writeFileSync(
    file,
    `name: whip-whep-e2e\nduration: 6\nwarmup: 1\nviewers: 1\nvideo: { width: 640, height: 360, fps: 30, bitrateKbps: 1000 }\npaths:\n` +
      `  - { kind: webrtc, codec: h264, ingest: "${base}/whip/live", playback: "${base}/whep/live?v=1", token: "\${env:${TOKEN_VAR}}" }\n` +
      // A second path plays the same server without publishing (something else feeds it), its viewer trickling by PATCH.
      `  - { kind: webrtc, id: whep-trickle, codec: h264, playback: "${base}/whep/live", token: "\${env:${TOKEN_VAR}}", ice: { trickle: true } }\n`,
  );
  const cli = await runLab(['run', file, '--out', join(dir, 'out'), '--quiet']);
  code = cli.code;
  stderr = cli.stderr;
  results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as Results;
}, 120_000);

afterAll(async () => {
  await relay.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!process.env.LAB_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('WHIP into a relay the lab does not run, WHEP out of it to Chromium', () => {
  it('measures the frames of every viewer through publisher, relay and WHEP', async () => {
    const [path, trickled] = results.paths as [Results['paths'][number], Results['paths'][number]];
    if (code !== 0) console.log(dir, ingest.packetsIn, JSON.stringify(await relay.stats()), JSON.stringify(whep.records));
    expect(code, stderr).toBe(0);
    expect(path.id).toBe('webrtc-h264-url');
    expect(path.delivery).toEqual({ server: 'url', protocolIn: 'whip', protocolOut: 'whep', ingestUrl: `${base}/whip/live`, playbackUrl: `${base}/whep/live?v=***` });
    expect(trickled.delivery).toEqual({ server: 'url', protocolIn: 'none', protocolOut: 'whep', playbackUrl: `${base}/whep/live` });
    const valid = results.validity?.verdict === 'valid';
    for (const viewer of [...path.viewers, ...trickled.viewers]) {
      // A run the lab judged valid measured nearly every frame; an overloaded one (said so in validity) at least half a second of them.
      expect(viewer.framesMeasured).toBeGreaterThanOrEqual(valid ? 0.9 * 30 * 6 : 15);
      expect(viewer.framesUndecodable).toBeLessThanOrEqual(0.01 * viewer.framesMeasured);
      expect(viewer.join?.connection.state).toBe('connected');
    }
    // Two WebRTC hops on loopback: well under the shortest HLS segment, and never below zero (instrument check).
    expect(path.latencyMs!.min).toBeGreaterThan(0);
    if (valid) expect(path.latencyMs!.p50).toBeLessThan(1000);
    expect(trickled.latencyMs!.min).toBeGreaterThan(0);
    expect(ingest.packetsIn).toBeGreaterThan(0);
    console.log(`whip-whep e2e: p50 ${path.latencyMs!.p50} ms, p95 ${path.latencyMs!.p95} ms (trickle viewer p50 ${trickled.latencyMs!.p50} ms), validity ${results.validity?.verdict}`);
  });

  it('saw, server side, one WHIP session opened and DELETEd, and each viewer POST its offer and PATCH its candidates (a trickling one with candidates)', () => {
    const calls = (endpoint: WhipWhepEndpoint, method: string, status: number) => endpoint.records.filter((r) => r.method === method && r.status === status);
    expect(calls(whip, 'POST', 201)).toHaveLength(1);
    expect(calls(whip, 'DELETE', 200).map((r) => r.sessionId)).toEqual([calls(whip, 'POST', 201)[0]!.sessionId]);
    const offers = calls(whep, 'POST', 201);
    expect(offers).toHaveLength(2);
    const patches = calls(whep, 'PATCH', 204);
    // Every viewer ended its candidates by PATCH on its own session (Location), with the right token.
    for (const offer of offers) expect(patches.some((p) => p.sessionId === offer.sessionId && p.endOfCandidates)).toBe(true);
    // The trickling viewer posted its offer with its first candidate and sent the others by PATCH.
    expect(patches.some((p) => (p.candidates ?? 0) > 0)).toBe(true);
    expect(whep.records.filter((r) => r.status >= 400)).toEqual([]);
    console.log(`whip-whep e2e: WHEP DELETEs seen ${calls(whep, 'DELETE', 200).length} of ${offers.length}`);
  });

  it('fails a run whose WHIP server refuses the offer within seconds, naming the URL and the status', async () => {
    process.env.LAB_TEST_WHIP_WRONG = 'not-the-token';
    const file = join(dir, 'refused.yaml');
    writeFileSync(file, `name: whip-refused\nduration: 4\npaths:\n  - { kind: webrtc, ingest: "${base}/whip/live", playback: "${base}/whep/live", token: "\${env:LAB_TEST_WHIP_WRONG}" }\n`);
    const started = Date.now();
    const cli = await runLab(['run', file, '--out', join(dir, 'refused'), '--quiet']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`WHIP server ${base}/whip/live refused the offer: HTTP 403`);
    expect(cli.stderr).not.toContain('not-the-token');
    // Refused at setup, before any viewer: well within the 10 s a WHIP request may take (plus the lab's start and end).
    expect(Date.now() - started).toBeLessThan(40_000);
  }, 60_000);

  it('keeps the token out of every file the lab wrote', () => {
    const files = readdirSync(join(dir, 'out'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const file of files) expect(readFileSync(join(file.parentPath, file.name), 'utf8').includes(token), file.name).toBe(false);
  });
});
