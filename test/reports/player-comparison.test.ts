import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PathResult, Results } from '../../harness/results/types.ts';
import { playerComparison, playerComparisonHtml } from '../../reports/player-comparison.ts';
import { renderReport } from '../../reports/render-report.ts';

/**
 * The results.json of a real `lab run scenarios/players.yaml` on this machine (2026-11-30, 8 viewers, load 12.6 →
 * 15.7, `degraded`), with each viewer's timeline cut to 5 points and freeze events to 3 to keep the file small.
 */
const FIXTURE = new URL('./fixtures/players-run.json', import.meta.url);
const load = (): Results => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Results;
const pathOf = (r: Results, id: string): PathResult => r.paths.find((p) => p.id === id)!;

describe('players side by side (from a real players.yaml run)', () => {
  it('groups the paths by stream, one row per player, in results order', () => {
    const groups = playerComparison(load());
    expect(groups.map((g) => g.stream)).toEqual([
      'LL-HLS · 1 s segments · 200 ms parts · hold-back 0.6 s',
      'LL-DASH · 1 s segments · 200 ms chunks · target 0.8 s',
      'HLS · 2 s segments',
    ]);
    expect(groups.map((g) => g.rows.map((r) => r.player))).toEqual([
      ['hls.js', 'shaka', 'videojs'],
      ['dashjs', 'shaka'],
      ['hls.js', 'shaka', 'videojs'],
    ]);
  });

  it('takes every figure from results.json: glass, the player\'s own estimate and target, first frame, stalls, freezes, catch-up', () => {
    const results = load();
    for (const row of playerComparison(results).flatMap((g) => g.rows)) {
      const path = pathOf(results, row.id);
      const v = path.viewers[0]!;
      expect(row.p50).toBe(path.latencyMs!.p50);
      expect(row.p95).toBe(path.latencyMs!.p95);
      expect(row.ownLatencyMs).toBe(v.playerLatencyMs ?? v.hlsJsLatencyMs);
      expect(row.ownTargetMs).toBe(v.playerTargetLatencyMs ?? v.hlsJsTargetLatencyMs ?? null);
      if (row.player === 'videojs') expect(row.ownMinusGlassMs).toBeNull();
      else expect(row.ownMinusGlassMs).toBeCloseTo(row.ownLatencyMs! - path.latencyMs!.p50, 9);
      expect(row.firstFrameMs).toBe(v.firstFrameMs);
      expect(row.stalls).toEqual(v.stalls);
      expect(row.freezes).toEqual({ count: v.freezes!.count, totalMs: v.freezes!.totalMs });
      expect(row.catchUp).toEqual({ maxRate: v.playbackRate!.max, ms: v.playbackRate!.catchUpMs });
    }
    // What this run showed: Shaka on LL-HLS (PDT anchored on the late first fragment, before the fix) believed
    // itself ~0.5 s closer to live than it was; on LL-DASH (anchored like availabilityStartTime) within 40 ms.
    const [llHls, llDash] = playerComparison(results);
    expect(llHls!.rows[1]!.ownMinusGlassMs!).toBeLessThan(-300);
    expect(Math.abs(llDash!.rows[1]!.ownMinusGlassMs!)).toBeLessThan(100);
    // dash.js caught up, Shaka did not; video.js has no target.
    expect(llDash!.rows[0]!.catchUp!.maxRate).toBeGreaterThan(1);
    expect(llDash!.rows[1]!.catchUp!.maxRate).toBe(1);
    expect(llHls!.rows[2]!.ownTargetMs).toBeNull();
  });

  it('counts a path without `player` as its kind\'s default player, whatever the key order of its params', () => {
    const results = load();
    const hlsjs = pathOf(results, 'll-hls-1s-200ms-hlsjs');
    const { player: _dropped, ...rest } = hlsjs.params as unknown as { player?: string } & Record<string, unknown>;
    (hlsjs as { params: unknown }).params = Object.fromEntries(Object.entries(rest).reverse());
    expect(playerComparison(results)[0]!.rows.map((r) => r.player)).toEqual(['hls.js', 'shaka', 'videojs']);
  });

  it('is left out when no stream has two player setups; the same player with a playerConfig counts as a second', () => {
    const results = load();
    const one = { paths: results.paths.filter((p) => p.id.endsWith('-hlsjs') || p.id.endsWith('-dashjs')) };
    expect(playerComparison(one)).toEqual([]);
    expect(playerComparisonHtml(one)).toBe('');
    const hlsjs = pathOf(results, 'hls-2s-hlsjs');
    const tuned = { ...hlsjs, id: 'hls-2s-tuned', params: { ...hlsjs.params, playerConfig: { liveSyncDurationCount: 2 } } } as PathResult;
    const groups = playerComparison({ paths: [hlsjs, tuned] });
    expect(groups).toHaveLength(1);
    expect(groups[0]!.rows.map((r) => [r.id, r.configured])).toEqual([['hls-2s-hlsjs', false], ['hls-2s-tuned', true]]);
  });

  it('appears in the report right after the summary, one table per stream', () => {
    const html = renderReport(load());
    const section = /<section class="card" id="players">.*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(section).toContain('<h2>Players side by side</h2>');
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="players"'));
    expect(section.match(/<table class="players">/g)).toHaveLength(3);
    expect([...section.matchAll(/data-player="([^"]+)"/g)].map((m) => m[1])).toEqual(['hls.js', 'shaka', 'videojs', 'dashjs', 'shaka', 'hls.js', 'shaka', 'videojs']);
    expect(section).toMatch(/data-path="ll-dash-1s-200ms-dashjs".*?data-field="catchUp" data-max-rate="1\.199\d*" data-ms="13848">≤ 1\.2× for 13\.8 s</s);
    expect(section).toMatch(/data-path="ll-hls-1s-200ms-shaka".*?data-field="ownMinusGlass" data-value="-502\.\d+">−502\.4<\/td>/s);
  });
});
