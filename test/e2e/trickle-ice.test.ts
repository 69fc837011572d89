import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JoinSummary, Results } from '../../harness/results/types.ts';
import { runLab } from '../support/lab-cli.ts';

/**
 * Trickle ICE and gathering-first on the same real run (ffmpeg, werift, coturn, Chromium), directly and through the
 * loopback TURN server: every viewer connects with the expected pair, trickle viewers get the relay's candidates
 * after its offer (none in the SDP) and send their answer before their own gathering completes. No speed
 * assertion: the measured join times are reported in docs/connection-setup.md. Run it under the heavy-job lock.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-trickle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trickle ICE against gathering-first', () => {
  it('connects all four viewers, trickle ones exchanging candidates after offer and answer', async () => {
    const out = join(dir, 'run');
    const result = await runLab(['run', 'test/fixtures/trickle-e2e.yaml', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const seen: Record<string, string> = {};
    for (const path of results.paths) {
      const j = path.viewers[0]!.join! as JoinSummary;
      expect(j.connection.state, path.id).toBe('connected');
      expect(j.trickle).toBe(path.id.endsWith('-trickle'));
      seen[path.id] = `${j.selectedPair!.local}→${j.selectedPair!.remote}`;
      const remote = j.candidates.filter((c) => c.side === 'remote');
      expect(remote.length, `${path.id}: the relay's candidates`).toBeGreaterThan(0);
      if (j.trickle) {
        // Trickled: the relay's candidates come after its offer, not in it.
        expect(remote.every((c) => c.atMs > j.atMs.offerReceived!)).toBe(true);
        if (path.id === 'turn-trickle') {
          // The answer left before the TURN allocation gave the page its relay candidates.
          expect(j.candidates.filter((c) => c.side === 'local').every((c) => c.atMs >= j.atMs.answerSent!)).toBe(true);
        }
      } else {
        expect(j.atMs.answerSent! + 1).toBeGreaterThanOrEqual(j.atMs.gatheringComplete!);
      }
    }
    expect(seen).toEqual({ direct: 'host→host', 'direct-trickle': 'host→host', turn: 'relay→host', 'turn-trickle': 'relay→host' });
    // jitterBufferTargetMs: 100 on the direct path (the fixture): in its params, and read back from the page's receiver.
    const target = (id: string) => results.paths.find((p) => p.id === id)!;
    expect(target('direct').params).toMatchObject({ jitterBufferTargetMs: 100 });
    expect(target('direct').viewers[0]!.webrtcBreakdownMs!.jitterBufferTargetMs).toBe(100);
    expect(target('turn').viewers[0]!.webrtcBreakdownMs!.jitterBufferTargetMs).toBeNull();
  }, 240_000);
});
