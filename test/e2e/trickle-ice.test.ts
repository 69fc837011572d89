import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JoinSummary, Results } from '../../harness/results/types.ts';
import { probeNetwork } from '../../harness/network/network-capabilities.ts';
import { findSystemProgram } from '../../harness/network/network-capabilities.ts';
import { runLab } from '../support/lab-cli.ts';

/**
 * Trickle ICE and gathering-first on one real run (ffmpeg, werift, coturn, Chromium, namespaces, nftables): directly,
 * through the loopback TURN server, and behind a STUN server that never answers (`ice.stun: silent`). Every viewer
 * connects with the expected pair; trickle viewers get the relay's candidates after its offer and send their answer
 * before their own gathering completes. With the silent STUN server the gathering cannot complete before Chromium's
 * STUN requests time out, so the gathering-first page holds its offer for its whole gathering limit (3 s,
 * players/webrtc/whep-client.ts), while the trickle page answers at once: its wait is shorter by at least 2 s (the
 * 3 s limit less up to 1 s for the page's first candidate on a loaded machine). Join times themselves are reported in
 * docs/connection-setup.md, not asserted. Run it under the heavy-job lock.
 */
const caps = await probeNetwork();
const reason = process.getuid?.() !== 0 ? 'not running as root' : !caps.available ? caps.detail : !findSystemProgram('nft') ? 'nft not installed' : undefined;
if (reason) console.log(`skipping the trickle ICE run: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'lab-trickle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How long the page held its description for its own gathering: from its first candidate to the description going out. */
function gatheringWait(j: JoinSummary): number {
  const firstLocal = Math.min(...j.candidates.filter((c) => c.side === 'local').map((c) => c.atMs));
  const sent = j.trickle ? j.atMs.answerSent! : j.atMs.signalSent!; // gathering-first over WHEP: the page's offer POST
  return Math.max(0, sent - firstLocal);
}

describe.skipIf(reason !== undefined)('trickle ICE against gathering-first', () => {
  it('connects every viewer; behind a silent STUN server trickle does not wait for the gathering, gathering-first does', async () => {
    const out = join(dir, 'run');
    const result = await runLab(['run', 'test/fixtures/trickle-e2e.yaml', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const joins: Record<string, JoinSummary> = {};
    const seen: Record<string, string> = {};
    for (const path of results.paths) {
      const j = path.viewers[0]!.join! as JoinSummary;
      joins[path.id] = j;
      expect(j.connection.state, path.id).toBe('connected');
      expect(j.trickle).toBe(path.id.endsWith('-trickle'));
      seen[path.id] = `${j.selectedPair!.local}→${j.selectedPair!.remote}`;
      const remote = j.candidates.filter((c) => c.side === 'remote');
      expect(remote.length, `${path.id}: the relay's candidates`).toBeGreaterThan(0);
      if (j.trickle) {
        // Trickled: the relay's candidates come after its offer, not in it; the answer leaves before gathering ends.
        expect(remote.every((c) => c.atMs > j.atMs.offerReceived!)).toBe(true);
        expect(j.atMs.answerSent!).toBeLessThan(j.atMs.gatheringComplete ?? Infinity);
        if (path.id === 'turn-trickle') {
          // The answer left before the TURN allocation gave the page its relay candidates.
          expect(j.candidates.filter((c) => c.side === 'local').every((c) => c.atMs >= j.atMs.answerSent!)).toBe(true);
        }
      } else if (path.id === 'direct') {
        expect(j.atMs.signalSent! + 1).toBeGreaterThanOrEqual(j.atMs.gatheringComplete!);
      }
    }
    expect(seen).toEqual({ direct: 'host→host', 'turn-trickle': 'relay→host', 'silent-stun': 'host→host', 'silent-stun-trickle': 'host→host' });

    // The silent STUN server: no server-reflexive candidate anywhere; gathering-first held its offer ≥ 2 s for a
    // gathering that had not completed; trickle's wait was at least 2 s shorter.
    const first = joins['silent-stun']!;
    const trickle = joins['silent-stun-trickle']!;
    for (const j of [first, trickle]) expect(j.candidates.some((c) => c.type === 'srflx')).toBe(false);
    console.log(`silent STUN: gathering-first waited ${gatheringWait(first)} ms (gathering complete at ${first.atMs.gatheringComplete ?? '—'} ms), trickle ${gatheringWait(trickle)} ms; first frame ${results.paths.find((p) => p.id === 'silent-stun')!.viewers[0]!.firstFrameMs} vs ${results.paths.find((p) => p.id === 'silent-stun-trickle')!.viewers[0]!.firstFrameMs} ms`);
    expect(gatheringWait(first)).toBeGreaterThanOrEqual(2000);
    expect(first.atMs.signalSent!).toBeLessThan((first.atMs.gatheringComplete ?? Infinity) + 1);
    expect(gatheringWait(first) - gatheringWait(trickle)).toBeGreaterThanOrEqual(2000);

    // jitterBufferTargetMs: 100 on the direct path (the fixture): in its params, and read back from the page's receiver.
    const target = (id: string) => results.paths.find((p) => p.id === id)!;
    expect(target('direct').params).toMatchObject({ jitterBufferTargetMs: 100 });
    expect(target('direct').viewers[0]!.webrtcBreakdownMs!.jitterBufferTargetMs).toBe(100);
    expect(target('turn-trickle').viewers[0]!.webrtcBreakdownMs!.jitterBufferTargetMs).toBeNull();
  }, 240_000);
});
