import type { Results } from '../harness/results/types.ts';
import { formatMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';

/**
 * "Where WebRTC latency goes" (the WebRTC analogue of hls-breakdown.ts): each WebRTC viewer's glass-to-glass p50 split
 * per frame at the browser's receive and presentation instants (rVFC receiveTime, presentationTime), with getStats'
 * own per-frame jitter-buffer and processing delays beside them as cross-checks. Empty when no viewer recorded a split.
 */
export function webrtcBreakdownHtml(results: Results): string {
  const rows = results.paths.flatMap((path) =>
    path.kind !== 'webrtc'
      ? []
      : path.viewers.flatMap((v) => {
          const b = v.webrtcBreakdownMs;
          if (!b) return [];
          const cells = [
            v.latencyMs?.p50, b.sourceToReceiveMs, b.jitterBufferAndDecodeMs, b.compositorMs, b.sumMs,
            b.statsJitterBufferDelayMs, b.statsJitterBufferTargetDelayMs, b.statsProcessingDelayMs, b.jitterBufferTargetMs,
          ];
          return [`<tr><th scope="row">${esc(path.id)} #${esc(v.viewer)}</th>${cells.map((c) => `<td class="num">${formatMs(c)}</td>`).join('')}</tr>`];
        }),
  );
  if (!rows.length) return '';
  return `<section class="card" id="webrtc-breakdown"><h2>Where WebRTC latency goes</h2>
<p class="hint">Per viewer, medians over the frames timed in the measurement window (ms). <strong>Source → receive</strong>:
the stamp to the browser's receipt of the frame's last packet (rVFC <code>receiveTime</code>) — encode, the relay and the
network as one span. <strong>Jitter buffer + decode</strong>: <code>receiveTime</code> → <code>presentationTime</code>.
<strong>Compositor</strong>: <code>presentationTime</code> → the expected display time the latency is measured at. Each
frame's three spans add up to its latency; the medians add up to the p50 within about a refresh. Cross-checks from
getStats over the same window, per frame: <code>jitterBufferDelay</code> (arrival of the first packet → out of the
buffer), <code>jitterBufferTargetDelay</code>, <code>totalProcessingDelay</code> (first packet → decoded).
<strong>Target set</strong>: the receiver's <code>jitterBufferTarget</code> as read back (— when the scenario sets none).</p>
<div class="table-wrap"><table class="webrtc-breakdown"><thead><tr><th>Viewer</th><th>Glass-to-glass p50</th><th>Source → receive</th><th>Jitter buffer + decode</th><th>Compositor</th><th>Sum</th><th>getStats jitter buffer</th><th>getStats JB target</th><th>getStats processing</th><th>Target set</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}
