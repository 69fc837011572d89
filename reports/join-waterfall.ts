import { median } from '../core/stats/quantiles.ts';
import {
  HTTP_JOIN_PHASES, isHttpJoin, JOIN_PHASES, type HttpJoinPhase, type HttpJoinSummary, type JoinPhase, type JoinSummary, type PathResult, type Results, type ViewerResult,
} from '../harness/results/types.ts';
import { formatMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';

/** One colour per WebRTC join phase (distinct in print and for the common colour-vision deficiencies, roughly). */
const PHASE_COLOURS: Record<JoinPhase, string> = {
  setup: '#9e9e9e',
  offer: '#1f77b4',
  answer: '#aec7e8',
  ice: '#ff7f0e',
  dtls: '#d62728',
  firstRtp: '#9467bd',
  keyframe: '#8c564b',
  decode: '#2ca02c',
  present: '#17becf',
};

/** HTTP join phases: the same colours for the same kind of wait (setup, request/response, decode, present). */
const HTTP_PHASE_COLOURS: Record<HttpJoinPhase, string> = {
  setup: '#9e9e9e',
  manifest: '#1f77b4',
  mediaRequest: '#aec7e8',
  firstByte: '#ff7f0e',
  buffer: '#8c564b',
  decode: '#2ca02c',
  present: '#17becf',
};

type Row<J> = { path: PathResult; v: ViewerResult; join: J };

const total = (phases: Partial<Record<string, number | null>>): number => Object.values(phases).reduce<number>((sum, p) => sum + (p ?? 0), 0);

/** A viewer's phases as bars, `scale` ms filling the width. */
function bars<P extends string>(phases: Record<P, number | null>, order: readonly P[], colours: Record<P, string>, scale: number): string {
  return order
    .map((phase) => {
      const ms = phases[phase];
      if (!ms) return '';
      const width = ((ms / scale) * 100).toFixed(2);
      return `<span class="join-bar" title="${esc(phase)} ${esc(formatMs(ms))}" style="display:inline-block;height:14px;width:${width}%;background:${colours[phase]}"></span>`;
    })
    .join('');
}

function legend<P extends string>(order: readonly P[], colours: Record<P, string>): string {
  return order.map((p) => `<span style="display:inline-block;width:10px;height:10px;background:${colours[p]}"></span> ${esc(p)}`).join(' &nbsp;');
}

function webrtcTable(rows: Array<Row<JoinSummary>>, scale: number): string {
  const body = rows.map(({ path, v, join }) => {
    const pair = join.selectedPair ? `${join.selectedPair.local} → ${join.selectedPair.remote} ${join.selectedPair.protocol}${join.selectedPair.relayProtocol ? ` (TURN/${join.selectedPair.relayProtocol})` : ''}` : '—';
    const after = join.connection.failedAfterMs !== undefined ? ` after ${esc(formatMs(join.connection.failedAfterMs))} ms (from the offer)` : '';
    const state = join.connection.state === 'connected' ? '' : ` <strong>${esc(join.connection.state)}</strong>${after}: ${esc(join.connection.reason ?? '')}`;
    const cells = JOIN_PHASES.map((phase) => `<td class="num">${formatMs(join.phasesMs[phase])}</td>`).join('');
    return `<tr><th scope="row">${esc(path.id)} #${esc(v.viewer)}${join.trickle ? ' (trickle)' : ''}</th><td style="min-width:240px;white-space:nowrap">${bars(join.phasesMs, JOIN_PHASES, PHASE_COLOURS, scale)}</td>${cells}<td class="num">${formatMs(v.firstFrameMs)}</td><td>${esc(pair)}${state}</td></tr>`;
  });
  return `<h3>WebRTC</h3>
<p class="hint">Signaling <strong>setup</strong>, the relay's <strong>offer</strong>, the page's <strong>answer</strong> (with its
gathering unless trickle), ICE checks still running after it (<strong>ice</strong>), the <strong>dtls</strong> handshake, the
first RTP packet, the wait for a decodable frame (<strong>keyframe</strong>), <strong>decode</strong> and
<strong>present</strong>.</p>
<p class="hint">${legend(JOIN_PHASES, PHASE_COLOURS)}</p>
<div class="table-wrap"><table class="join-waterfall"><thead><tr><th>Viewer</th><th>Waterfall</th>${JOIN_PHASES.map((p) => `<th>${esc(p)}</th>`).join('')}<th>First frame</th><th>Selected pair</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>`;
}

function httpTable(rows: Array<Row<HttpJoinSummary>>, scale: number): string {
  const body = rows.map(({ path, v, join }) => {
    const state = join.connection.state === 'playing' ? '' : ` <strong>${esc(join.connection.state)}</strong>: ${esc(join.connection.reason ?? '')}`;
    const cells = HTTP_JOIN_PHASES.map((phase) => `<td class="num">${formatMs(join.phasesMs[phase])}</td>`).join('');
    return `<tr><th scope="row">${esc(path.id)} #${esc(v.viewer)}</th><td>${esc(join.protocol)} · ${esc(join.player)}</td><td style="min-width:240px;white-space:nowrap">${bars(join.phasesMs, HTTP_JOIN_PHASES, HTTP_PHASE_COLOURS, scale)}</td>${cells}<td class="num">${formatMs(v.firstFrameMs)}</td><td>${esc(join.source === 'player' ? `${join.player} events` : 'resource timing')}${state}</td></tr>`;
  });
  return `<h3>HLS, LL-HLS, DASH and FLV</h3>
<p class="hint">Player <strong>setup</strong>, the <strong>manifest</strong> (playlist or MPD) requested and loaded, until the
first media request (<strong>mediaRequest</strong>: parsing, choosing the live start, the init segment), its first byte
(<strong>firstByte</strong>: the server's wait, e.g. an LL-HLS blocking part, and the link), the rest into the buffer
(<strong>buffer</strong>), <strong>decode</strong> and <strong>present</strong>. A phase the page could not see is empty (the next one covers it).</p>
<p class="hint">${legend(HTTP_JOIN_PHASES, HTTP_PHASE_COLOURS)}</p>
<div class="table-wrap"><table class="join-waterfall"><thead><tr><th>Viewer</th><th>Protocol · player</th><th>Waterfall</th>${HTTP_JOIN_PHASES.map((p) => `<th>${esc(p)}</th>`).join('')}<th>First frame</th><th>Steps from</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>`;
}

/** Zapping time per protocol and player: viewers, median first frame and its largest median phase. */
function zappingTable(webrtc: Array<Row<JoinSummary>>, http: Array<Row<HttpJoinSummary>>): string {
  const groups = new Map<string, Array<{ firstFrameMs: number | null; phases: Partial<Record<string, number | null>> }>>();
  const add = (key: string, firstFrameMs: number | null, phases: Partial<Record<string, number | null>>) =>
    groups.set(key, [...(groups.get(key) ?? []), { firstFrameMs, phases }]);
  for (const { v, join } of webrtc) add('webrtc', v.firstFrameMs, join.phasesMs);
  for (const { v, join } of http) add(`${join.protocol} · ${join.player}`, v.firstFrameMs, join.phasesMs);
  const rows = [...groups].map(([key, viewers]) => {
    const firsts = viewers.map((x) => x.firstFrameMs).filter((x): x is number => x !== null);
    const phaseNames = Object.keys(viewers[0]!.phases);
    const medians = phaseNames.map((p) => [p, median(viewers.map((x) => x.phases[p]).filter((x): x is number => typeof x === 'number'))] as const);
    const largest = medians.reduce<readonly [string, number | null]>((best, m) => ((m[1] ?? -1) > (best[1] ?? -1) ? m : best), ['—', null]);
    return `<tr><th scope="row">${esc(key)}</th><td class="num">${viewers.length}</td><td class="num">${formatMs(median(firsts))}</td><td>${esc(largest[0])} ${formatMs(largest[1])}</td></tr>`;
  });
  return `<h3>Zapping time by protocol</h3>
<div class="table-wrap"><table class="join-zapping"><thead><tr><th>Protocol · player</th><th>Viewers</th><th>First frame (median)</th><th>Largest phase (median)</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

/**
 * "How viewers joined": per viewer a waterfall of its join phases (harness/collect/join-timeline.ts), WebRTC viewers
 * and HTTP (HLS, LL-HLS, DASH, FLV) viewers in a table each with their own phases, all bars to one scale (the
 * slowest viewer's first frame fills the width) so zapping time compares across protocols, then a per-protocol
 * summary. Empty when no viewer has a join timeline (runs from before it existed).
 */
export function joinWaterfallHtml(results: Pick<Results, 'paths'>): string {
  const webrtc: Array<Row<JoinSummary>> = [];
  const http: Array<Row<HttpJoinSummary>> = [];
  for (const path of results.paths) {
    for (const v of path.viewers) {
      if (!v.join) continue;
      if (isHttpJoin(v.join)) http.push({ path, v, join: v.join });
      else if (path.kind === 'webrtc') webrtc.push({ path, v, join: v.join });
    }
  }
  if (!webrtc.length && !http.length) return '';
  const scale = Math.max(1, ...webrtc.map(({ join }) => total(join.phasesMs)), ...http.map(({ join }) => total(join.phasesMs)));
  return `<section class="card" id="join-waterfall"><h2>How viewers joined</h2>
<p class="hint">Per viewer, from starting to play to its first frame on glass (ms), as a chain of steps; each phase is
the wait from the step before, so they add up to the first frame. Bars share one scale across protocols.
See docs/connection-setup.md.</p>
${webrtc.length ? webrtcTable(webrtc, scale) : ''}
${http.length ? httpTable(http, scale) : ''}
${zappingTable(webrtc, http)}</section>`;
}
