import type { PathResult, Results, StallSummary, ViewerResult } from '../harness/results/types.ts';
import { DASH, formatCount, formatDuration, formatMs, formatSignedMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';
import { medianOf } from './path-summary.ts';

/**
 * "Players side by side": for every stream that a run played through more than one player (paths of the same kind
 * and the same stream settings, differing only in `player` / `playerConfig` — what `player: [hls.js, shaka, …]`
 * makes), one row per player: glass-to-glass p50/p95, the player's own latency estimate and target, first frame,
 * stalls, freezes and catch-up. Reads results.json only. Empty when no stream has two players.
 */

/** The kinds a scenario may play through a player of its choice (WebRTC and FLV have one player each). */
type PlayerKind = 'hls' | 'll-hls' | 'dash' | 'll-dash';
type PlayerPath = Extract<PathResult, { kind: PlayerKind }>;

export interface PlayerRow {
  /** Index of the path in results.paths. */
  index: number;
  id: string;
  /** The player the path's viewers ran: params.player, else the kind's default (hls.js, dashjs). */
  player: string;
  /** The scenario set playerConfig on top of the lab's settings. */
  configured: boolean;
  viewers: number;
  p50: number | null;
  p95: number | null;
  /** Median over viewers of the player's own live-latency estimate and target (ms; null when it exposes none). */
  ownLatencyMs: number | null;
  ownTargetMs: number | null;
  /**
   * Own estimate − glass p50: how much closer to live (negative) or further (positive) the player believes it is.
   * Null for video.js, whose figure is how far behind its live tracker's edge it plays, not a latency.
   */
  ownMinusGlassMs: number | null;
  /** Median over viewers (ms). */
  firstFrameMs: number | null;
  /** Summed over viewers. */
  stalls: StallSummary;
  freezes: StallSummary | null;
  /** Fastest playback rate any viewer used and the longest time a viewer spent above 1× (null: not recorded). */
  catchUp: { maxRate: number; ms: number } | null;
}

export interface StreamGroup {
  /** What the paths have in common, e.g. "LL-HLS · 1 s segments · 200 ms parts · hold-back 0.6 s". */
  stream: string;
  rows: PlayerRow[];
}

const DEFAULT_PLAYER: Record<PlayerKind, string> = { hls: 'hls.js', 'll-hls': 'hls.js', dash: 'dashjs', 'll-dash': 'dashjs' };
/** The player whose own figure is a distance behind its live edge, not a latency (docs/players.md). */
const BEHIND_EDGE_PLAYER = 'videojs';
const KIND_LABEL: Record<PlayerKind, string> = { hls: 'HLS', 'll-hls': 'LL-HLS', dash: 'DASH', 'll-dash': 'LL-DASH' };

function isPlayerPath(path: PathResult): path is PlayerPath {
  return path.kind in DEFAULT_PLAYER;
}

/** Identifies a stream: kind, server and every param but the player's own (key order does not matter). */
function streamKey(path: PlayerPath): string {
  const params = Object.entries(path.params as unknown as Record<string, unknown>)
    .filter(([k]) => k !== 'player' && k !== 'playerConfig')
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([path.kind, path.delivery?.server ?? 'lab', params]);
}

const seconds = (s: number): string => `${Number(s.toFixed(3))} s`;

function streamLabel(path: PlayerPath): string {
  const parts = [KIND_LABEL[path.kind], `${seconds(path.params.segmentDuration)} segments`];
  if (path.kind === 'll-hls') parts.push(`${Math.round(path.params.partDuration * 1000)} ms parts`, `hold-back ${seconds(path.params.partHoldBack)}`);
  if (path.kind === 'hls' && path.params.segmentType) parts.push(path.params.segmentType);
  if (path.kind === 'dash' || path.kind === 'll-dash') {
    if (path.params.chunkDuration !== undefined) parts.push(`${Math.round(path.params.chunkDuration * 1000)} ms chunks`);
    parts.push(`target ${seconds(path.params.targetLatency)}`);
  }
  if (path.delivery && path.delivery.server !== 'lab') parts.push(`via ${path.delivery.server}`);
  return parts.join(' · ');
}

const finite = (values: Array<number | null | undefined>): number[] => values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/** hls.js keeps its own field names (hlsJs…); every other player reports through player…. */
function ownLatency(v: ViewerResult): number | null | undefined {
  return v.playerLatencyMs ?? v.hlsJsLatencyMs;
}
function ownTarget(v: ViewerResult): number | null | undefined {
  return v.playerTargetLatencyMs ?? v.hlsJsTargetLatencyMs;
}

function sumOf(viewers: ViewerResult[], pick: (v: ViewerResult) => StallSummary | undefined): StallSummary {
  return viewers.reduce((s, v) => ({ count: s.count + (pick(v)?.count ?? 0), totalMs: s.totalMs + (pick(v)?.totalMs ?? 0) }), { count: 0, totalMs: 0 });
}

function rowOf(path: PlayerPath, index: number): PlayerRow {
  const vs = path.viewers;
  const own = medianOf(finite(vs.map(ownLatency)));
  const p50 = path.latencyMs?.p50 ?? null;
  const rates = vs.flatMap((v) => (v.playbackRate ? [v.playbackRate] : []));
  const player = path.params.player ?? DEFAULT_PLAYER[path.kind];
  return {
    index,
    id: path.id,
    player,
    configured: path.params.playerConfig !== undefined,
    viewers: vs.length,
    p50,
    p95: path.latencyMs?.p95 ?? null,
    ownLatencyMs: own,
    ownTargetMs: medianOf(finite(vs.map(ownTarget))),
    ownMinusGlassMs: own !== null && p50 !== null && player !== BEHIND_EDGE_PLAYER ? own - p50 : null,
    firstFrameMs: medianOf(finite(vs.map((v) => v.firstFrameMs))),
    stalls: sumOf(vs, (v) => v.stalls),
    freezes: vs.some((v) => v.freezes) ? sumOf(vs, (v) => v.freezes) : null,
    catchUp: rates.length ? { maxRate: Math.max(...rates.map((r) => r.max)), ms: Math.max(...rates.map((r) => r.catchUpMs)) } : null,
  };
}

/** Streams played through at least two player setups, in order of first appearance; rows in results order. */
export function playerComparison(results: Pick<Results, 'paths'>): StreamGroup[] {
  const groups = new Map<string, StreamGroup>();
  results.paths.forEach((path, index) => {
    if (!isPlayerPath(path)) return;
    const key = streamKey(path);
    const group = groups.get(key) ?? { stream: streamLabel(path), rows: [] };
    group.rows.push(rowOf(path, index));
    groups.set(key, group);
  });
  return [...groups.values()].filter((g) => new Set(g.rows.map((r) => `${r.player}\u0000${r.configured ? r.id : ''}`)).size > 1);
}

function num(field: string, value: number | null, text: string): string {
  return `<td class="num" data-field="${field}"${value === null ? '' : ` data-value="${value}"`}>${esc(text)}</td>`;
}

function countCell(field: string, s: StallSummary | null): string {
  if (!s) return `<td class="num" data-field="${field}">${DASH}</td>`;
  return `<td class="num" data-field="${field}" data-count="${s.count}" data-total-ms="${s.totalMs}">${s.count ? `${formatCount(s.count)} <small>(${esc(formatDuration(s.totalMs / 1000))})</small>` : '0'}</td>`;
}

function catchUpCell(c: PlayerRow['catchUp']): string {
  if (!c) return `<td class="num" data-field="catchUp">${DASH}</td>`;
  const text = c.maxRate > 1 && c.ms > 0 ? `≤ ${Number(c.maxRate.toFixed(3))}× for ${formatDuration(c.ms / 1000)}` : 'none';
  return `<td class="num" data-field="catchUp" data-max-rate="${c.maxRate}" data-ms="${c.ms}">${esc(text)}</td>`;
}

function rowHtml(r: PlayerRow, colour: string | undefined): string {
  const own = r.ownLatencyMs === null ? DASH : `${r.player === BEHIND_EDGE_PLAYER ? 'behind its edge ' : ''}${formatMs(r.ownLatencyMs)} / ${formatMs(r.ownTargetMs)}`;
  return `<tr data-path="${esc(r.id)}" data-player="${esc(r.player)}"><th scope="row">${colour ? `<span class="swatch" style="background:${esc(colour)}"></span>` : ''}${esc(r.player)}${r.configured ? ' <small>+ playerConfig</small>' : ''}<span class="kind">${esc(r.id)}${r.viewers > 1 ? ` · ${r.viewers} viewers` : ''}</span></th>
${num('p50', r.p50, formatMs(r.p50))}${num('p95', r.p95, formatMs(r.p95))}<td class="num" data-field="own"${r.ownLatencyMs === null ? '' : ` data-value="${r.ownLatencyMs}"`}>${esc(own)}</td>${num('ownMinusGlass', r.ownMinusGlassMs, formatSignedMs(r.ownMinusGlassMs))}${num('firstFrameMs', r.firstFrameMs, formatMs(r.firstFrameMs))}${countCell('stalls', r.stalls)}${countCell('freezes', r.freezes)}${catchUpCell(r.catchUp)}</tr>`;
}

/** The section, or '' when no stream has two players. `colours` are the paths' colours, by index. */
export function playerComparisonHtml(results: Pick<Results, 'paths'>, colours: ReadonlyArray<string | undefined> = []): string {
  const groups = playerComparison(results);
  if (!groups.length) return '';
  const tables = groups.map(
    (g) => `<h3>${esc(g.stream)}</h3>
<div class="table-wrap"><table class="players"><thead><tr><th scope="col">Player<br><small>path</small></th><th scope="col">p50<br><small>ms, glass</small></th><th scope="col">p95<br><small>ms, glass</small></th><th scope="col">Player's own<br><small>latency / target, ms</small></th><th scope="col">Own − glass<br><small>ms</small></th><th scope="col">First frame<br><small>ms</small></th><th scope="col">Stalls<br><small>count (time)</small></th><th scope="col">Freezes<br><small>count (time)</small></th><th scope="col">Catch-up<br><small>playback rate</small></th></tr></thead>
<tbody>${g.rows.map((r) => rowHtml(r, colours[r.index])).join('\n')}</tbody></table></div>`,
  );
  return `<section class="card" id="players"><h2>Players side by side</h2>
<p class="hint">Each stream played through several players in the same run, on the same frames. <strong>p50 / p95</strong>:
glass-to-glass over every measured frame. <strong>Player's own</strong>: the median of the player's live-latency
estimate and target (hls.js <code>latency</code> / <code>targetLatency</code>; dash.js <code>getCurrentLiveLatency()</code>
/ its target; Shaka <code>liveLatency</code>, from PROGRAM-DATE-TIME on HLS; video.js: how far behind its live tracker's
edge it plays, no target, so no own − glass). <strong>Own − glass</strong> below zero: the player believes itself closer to live than it is.
First frame is the median over viewers; stalls and freezes are summed over viewers; catch-up is the fastest playback rate
used and the longest time a viewer spent above 1×.</p>
${tables.join('\n')}</section>`;
}
