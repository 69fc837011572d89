import { JOIN_PHASES, type JoinPhase, type Results } from '../harness/results/types.ts';
import { formatMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';

/** One colour per join phase (distinct in print and for the common colour-vision deficiencies, roughly). */
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

/**
 * "How WebRTC viewers joined": per WebRTC viewer a waterfall of its join phases (harness/collect/join-timeline.ts),
 * bars to one scale (the slowest viewer's first frame fills the width), with the phase times, the selected
 * candidate pair and, for a viewer that did not connect, its state and reason. Empty when no viewer has a join
 * timeline (runs from before it existed, runs without WebRTC).
 */
export function joinWaterfallHtml(results: Pick<Results, 'paths'>): string {
  const viewers = results.paths.flatMap((path) => (path.kind === 'webrtc' ? path.viewers.filter((v) => v.join).map((v) => ({ path, v, join: v.join! })) : []));
  if (!viewers.length) return '';
  const total = (phases: Record<JoinPhase, number | null>) => JOIN_PHASES.reduce((sum, p) => sum + (phases[p] ?? 0), 0);
  const scale = Math.max(1, ...viewers.map(({ join }) => total(join.phasesMs)));
  const rows = viewers.map(({ path, v, join }) => {
    const bars = JOIN_PHASES.map((phase) => {
      const ms = join.phasesMs[phase];
      if (!ms) return '';
      const width = ((ms / scale) * 100).toFixed(2);
      return `<span class="join-bar" title="${esc(phase)} ${esc(formatMs(ms))}" style="display:inline-block;height:14px;width:${width}%;background:${PHASE_COLOURS[phase]}"></span>`;
    }).join('');
    const pair = join.selectedPair ? `${join.selectedPair.local} → ${join.selectedPair.remote} ${join.selectedPair.protocol}${join.selectedPair.relayProtocol ? ` (TURN/${join.selectedPair.relayProtocol})` : ''}` : '—';
    const state = join.connection.state === 'connected' ? '' : ` <strong>${esc(join.connection.state)}</strong>: ${esc(join.connection.reason ?? '')}`;
    const cells = JOIN_PHASES.map((phase) => `<td class="num">${formatMs(join.phasesMs[phase])}</td>`).join('');
    return `<tr><th scope="row">${esc(path.id)} #${esc(v.viewer)}${join.trickle ? ' (trickle)' : ''}</th><td style="min-width:240px;white-space:nowrap">${bars}</td>${cells}<td class="num">${formatMs(v.firstFrameMs)}</td><td>${esc(pair)}${state}</td></tr>`;
  });
  const legend = JOIN_PHASES.map((p) => `<span style="display:inline-block;width:10px;height:10px;background:${PHASE_COLOURS[p]}"></span> ${esc(p)}`).join(' &nbsp;');
  return `<section class="card" id="join-waterfall"><h2>How WebRTC viewers joined</h2>
<p class="hint">Per viewer, from starting to play to its first frame on glass (ms), as a chain of steps: signaling
<strong>setup</strong>, the relay's <strong>offer</strong>, the page's <strong>answer</strong> (with its gathering
unless trickle), ICE checks still running after it (<strong>ice</strong>), the <strong>dtls</strong> handshake, the
first RTP packet, the wait for a decodable frame (<strong>keyframe</strong>), <strong>decode</strong> and
<strong>present</strong>. Bars share one scale. See docs/connection-setup.md.</p>
<p class="hint">${legend}</p>
<div class="table-wrap"><table class="join-waterfall"><thead><tr><th>Viewer</th><th>Waterfall</th>${JOIN_PHASES.map((p) => `<th>${esc(p)}</th>`).join('')}<th>First frame</th><th>Selected pair</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}
