import type { Results } from '../harness/results/types.ts';
import { formatMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';

/**
 * "Where HLS latency goes": each HLS or LL-HLS viewer's glass-to-glass p50 split into what hls.js keeps behind its
 * idea of the live edge, the playlist's age when the origin sent it, and the edge lag (the rest: the playlist's
 * transit plus encode and segment/part close). The three add up to the p50 within a frame or so (they are
 * medians of their own samples). Empty when no viewer recorded the split (runs from before it existed).
 */
export function hlsBreakdownHtml(results: Results): string {
  const rows = results.paths.flatMap((path) =>
    path.kind === 'webrtc'
      ? []
      : path.viewers.flatMap((v) => {
          if (v.hlsEdgeLagMs == null || v.hlsPlaylistAgeMs == null || v.hlsJsLatencyMs == null) return [];
          const sum = v.hlsJsLatencyMs + v.hlsPlaylistAgeMs + v.hlsEdgeLagMs;
          return [
            `<tr><th scope="row">${esc(path.id)} #${esc(v.viewer)}</th><td class="num">${formatMs(v.latencyMs?.p50)}</td><td class="num">${formatMs(v.hlsJsLatencyMs)}</td><td class="num">${formatMs(v.hlsPlaylistAgeMs)}</td><td class="num">${formatMs(v.hlsEdgeLagMs)}</td><td class="num">${formatMs(v.hlsPlaylistTransitMs)}</td><td class="num">${formatMs(sum)}</td></tr>`,
          ];
        }),
  );
  if (!rows.length) return '';
  return `<section class="card" id="hls-breakdown"><h2>Where HLS latency goes</h2>
<p class="hint">Per viewer, medians over the measurement window (ms). <strong>hls.js latency</strong>: how far behind
its own estimate of the live edge hls.js plays (its target — 3 segments, or PART-HOLD-BACK — plus whatever its join
added). <strong>Playlist age</strong>: how long the newest media had been published when the origin sent the playlist
(classic HLS polls, so up to a reload interval; a blocking LL-HLS reload answers at once). <strong>Edge lag</strong>:
the rest of glass-to-glass, measured per sample from the frame on glass — the playlist's transit to the player plus
encode and segment/part close; a delay on the viewer's link shows here 1:1.</p>
<div class="table-wrap"><table class="hls-breakdown"><thead><tr><th>Viewer</th><th>Glass-to-glass p50</th><th>hls.js latency</th><th>Playlist age</th><th>Edge lag</th><th>of which transit</th><th>Sum</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}
