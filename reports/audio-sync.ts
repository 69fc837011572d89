import type { Results } from '../harness/results/types.ts';
import type { AvSyncPoint } from '../harness/results/audio-types.ts';
import { formatMs, formatSignedMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';

/**
 * ITU-R BT.1359's detectability thresholds, in the lab's sign (positive = sound late against the picture): sound
 * earlier than 45 ms or later than 125 ms is detectable.
 */
const EARLY_MS = -45;
const LATE_MS = 125;
const WIDTH = 640;
const HEIGHT = 180;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];

interface Series {
  label: string;
  colour: string;
  points: AvSyncPoint[];
}

/** The lip-sync chart: A/V sync per 1 s bin and viewer against the detectability band, as inline SVG. */
function syncSvg(series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(t0 + 1, ...all.map((p) => p.t));
  const lo = Math.min(-200, ...all.map((p) => p.syncMs)) - 20;
  const hi = Math.max(200, ...all.map((p) => p.syncMs)) + 20;
  const x = (t: number) => 40 + ((t - t0) / (t1 - t0)) * (WIDTH - 50);
  const y = (ms: number) => 10 + ((hi - ms) / (hi - lo)) * (HEIGHT - 30);
  const band = `<rect x="40" y="${y(LATE_MS).toFixed(1)}" width="${WIDTH - 50}" height="${(y(EARLY_MS) - y(LATE_MS)).toFixed(1)}" fill="#2ca02c" fill-opacity="0.12"><title>not detectable: sound up to 45 ms early or 125 ms late (ITU-R BT.1359)</title></rect>`;
  const ticks = [EARLY_MS, 0, LATE_MS]
    .map((ms) => `<line x1="40" x2="${WIDTH - 10}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="#999" stroke-dasharray="${ms === 0 ? '' : '3 3'}"/><text x="36" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end" font-size="10">${ms > 0 ? '+' : ''}${ms}</text>`)
    .join('');
  const lines = series
    .map((s) => {
      const colour = s.colour;
      const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.syncMs).toFixed(1)}`).join('');
      return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5"><title>${esc(s.label)}</title></path>`;
    })
    .join('');
  const axis = `<text x="${WIDTH / 2}" y="${HEIGHT - 4}" text-anchor="middle" font-size="10">seconds since the run started (${t0.toFixed(0)}–${t1.toFixed(0)} s); A/V sync, ms (positive = sound late)</text>`;
  return `<svg class="audio-sync" role="img" aria-label="A/V sync per second and viewer" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" style="max-width:${WIDTH}px">${band}${ticks}${lines}${axis}</svg>`;
}

/**
 * "Audio and lip sync" (issue 19): per viewer of a path with audio, the mouth-to-ear latency of its audio marks next
 * to the video's, its A/V sync and how many marks were read; then the lip-sync chart. Empty when no path has audio.
 */
export function audioSyncHtml(results: Pick<Results, 'paths'>): string {
  const rows: string[] = [];
  const series: Series[] = [];
  for (const path of results.paths) {
    for (const v of path.viewers) {
      if (!v.audio) continue;
      const label = `${path.id} #${v.viewer}`;
      const colour = COLOURS[rows.length % COLOURS.length]!;
      if (v.audio.avSyncTimeline.length) series.push({ label, colour, points: v.audio.avSyncTimeline });
      const concealed = v.audio.webrtc?.concealedPct;
      rows.push(
        `<tr><th scope="row"><span class="swatch" style="background:${colour}"></span>${esc(label)}</th>` +
          `<td class="num">${formatMs(v.audioLatencyMs?.p50)}</td><td class="num">${formatMs(v.audioLatencyMs?.p95)}</td><td class="num">${formatMs(v.latencyMs?.p50)}</td>` +
          `<td class="num">${formatSignedMs(v.avSyncMs?.p50)}</td><td class="num">${v.audio.marksDecoded} / ${v.audio.marksExpected}${v.audio.marksUndecodable ? ` (${v.audio.marksUndecodable} unreadable)` : ''}</td>` +
          `<td class="num">${concealed === null || concealed === undefined ? '—' : `${concealed} %`}</td></tr>`,
      );
    }
  }
  if (!rows.length) return '';
  return `<section class="card" id="audio-sync"><h2>Audio and lip sync</h2>
<p class="hint">Audio latency: from a mark's stamp in the source to when the page's AudioContext played it (its base and
output latency included). A/V sync = audio − video latency per second (positive: the sound is late). The shaded band is
where people do not notice (ITU-R BT.1359: sound up to 45 ms early or 125 ms late). See docs/audio.md.</p>
<div class="table-wrap"><table class="audio-sync-table"><thead><tr><th>Viewer</th><th>Audio p50</th><th>Audio p95</th><th>Video p50</th><th>A/V sync p50</th><th>Marks read</th><th>Concealed</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>
${series.length ? syncSvg(series) : ''}</section>`;
}
