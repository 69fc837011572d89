import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrowser } from '../../core/find-programs.ts';
import { BrowserSession } from '../../harness/browser/browser-session.ts';
import { buildPlayerBundles, playerRoutes } from '../../harness/browser/player-bundles.ts';
import { Viewer } from '../../harness/browser/viewer.ts';
import { LabServer } from '../../harness/server/lab-server.ts';
import type { PlayerConfig } from '../../players/contract.ts';

/**
 * A player that never starts fails its viewer with the player's own error: each bundle, in real Chromium, pointed at
 * a real server that answers its manifest with 404. The viewer's start() rejects or its next drain carries `fatal`
 * (what makes `lab run` fail the viewer, naming it), and the message is the player's, not a timeout's.
 */
describe('players that cannot start report their own error', () => {
  const server = new LabServer();
  let session: BrowserSession;
  let base = '';

  beforeAll(async () => {
    server.use(await playerRoutes(await buildPlayerBundles()));
    server.use((req, res, pathname) => {
      if (!pathname.startsWith('/gone/')) return false;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such stream');
      return true;
    });
    base = await server.listen();
    session = await BrowserSession.launch((await findBrowser()).path);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await server.close();
  });

  /** Starts a viewer of `kind` on a missing manifest; resolves with the failure the lab would see (≤ 20 s). */
  async function failureOf(kind: PlayerConfig['kind'], file: string): Promise<string> {
    const config: PlayerConfig = { kind, pathId: `gone-${kind}`, viewerId: 'v0', statsIntervalMs: 500, src: `${base}/gone/${file}`, lowLatencyMode: true };
    const viewer = await Viewer.prepare(session, base, config);
    try {
      try {
        await viewer.start();
      } catch (err) {
        return (err as Error).message;
      }
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const batch = await viewer.drain();
        if (batch.fatal) return batch.fatal;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return 'no failure reported';
    } finally {
      await viewer.close();
    }
  }

  it('dash.js: its manifest-loading error code', async () => {
    expect(await failureOf('dash', 'manifest.mpd')).toMatch(/^dash\.js error (10|11|25)\b/);
  }, 40_000);

  it('Shaka: its error code, on an MPD and on a playlist', async () => {
    expect(await failureOf('shaka', 'manifest.mpd')).toMatch(/Shaka (could not load|error) .*\b1001\b/);
    expect(await failureOf('shaka', 'index.m3u8')).toMatch(/Shaka (could not load|error) .*\b1001\b/);
  }, 60_000);

  it('video.js: its MediaError', async () => {
    expect(await failureOf('videojs', 'index.m3u8')).toMatch(/^video\.js error \d+: /);
  }, 40_000);
});
