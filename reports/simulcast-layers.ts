import type { Results } from '../harness/results/types.ts';
import { formatMs } from './format.ts';
import { escapeHtml as esc } from './html.ts';

/**
 * "Simulcast layer over time" (issue 15): for every simulcast viewer (results.json `viewers[].layers`), the spatial
 * layer the page displayed per second as a step line (inline SVG, drawn here: no chart script needed), the network
 * changes of its path as dashed lines, and a table of its switches (time, from → to, freeze, latency either side)
 * and latency per layer. Placed under the latency chart, on the same t (seconds since the run started).
 * Empty when no viewer has layers.
 */
const W = 900;
const ROW = 26;
const PAD = { left: 120, right: 12, top: 8, bottom: 22 };

export function simulcastLayersHtml(results: Results, colourOf: (pathId: string) => string): string {
  const viewers = results.paths.flatMap((path) =>
    path.kind !== 'webrtc' || !path.params.layers ? [] : path.viewers.flatMap((v) => (v.layers ? [{ path, v, layers: v.layers, ladder: path.params.layers! }] : [])),
  );
  if (!viewers.length) return '';
  const all = viewers.flatMap((x) => x.layers.perSecond.map((s) => s.t));
  const t0 = Math.min(...all, Infinity);
  const t1 = Math.max(...all, -Infinity) + 1;
  if (!Number.isFinite(t0)) return '';
  const x = (t: number) => PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right);
  const charts = viewers.map(({ path, v, layers, ladder }) => {
    const top = ladder.length - 1;
    const h = PAD.top + PAD.bottom + ROW * top;
    const y = (layer: number) => PAD.top + (top - layer) * ROW;
    const points = layers.perSecond.flatMap((s) => [`${x(s.t).toFixed(1)},${y(s.layer)}`, `${x(s.t + 1).toFixed(1)},${y(s.layer)}`]).join(' ');
    const grid = ladder
      .map((l, i) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(i)}" y2="${y(i)}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${y(i) + 4}" text-anchor="end" font-size="11">${i}: ${l.width}x${l.height}</text>`)
      .join('');
    const changes = (path.network?.changes ?? [])
      .filter((c) => c.at !== null)
      .map((c) => c.t)
      .filter((t) => t >= t0 && t <= t1)
      .map((t) => `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${PAD.top - 4}" y2="${h - PAD.bottom}" stroke="#888" stroke-dasharray="4 3"/>`)
      .join('');
    const ticks = Array.from({ length: 6 }, (_, i) => t0 + ((t1 - t0) * i) / 5)
      .map((t) => `<text x="${x(t).toFixed(1)}" y="${h - 6}" text-anchor="middle" font-size="11">${t.toFixed(0)} s</text>`)
      .join('');
    // The relay's own switches (mediasoup's layerschange), as short dark ticks on the layer it switched to.
    const relayTicks = (layers.relay?.changes ?? [])
      .filter((c): c is { t: number; layer: number } => c.layer !== null && c.t >= t0 && c.t <= t1)
      .map((c) => `<line class="relay-switch" x1="${x(c.t).toFixed(1)}" x2="${x(c.t).toFixed(1)}" y1="${y(c.layer) - 7}" y2="${y(c.layer) + 7}" stroke="#222" stroke-width="2"/>`)
      .join('');
    const colour = colourOf(path.id);
    const svg = `<svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="${esc(`${path.id} #${v.viewer}: simulcast layer over time`)}">${grid}${changes}${ticks}${relayTicks}<polyline fill="none" stroke="${esc(colour)}" stroke-width="2.5" points="${points}"/></svg>`;
    const switches = layers.switches.length
      ? layers.switches
          .map((s, i) => `<tr><td class="num">${s.t.toFixed(2)} s</td><td>${s.from} → ${s.to}</td><td class="num">${formatMs(s.gapMs)}</td><td class="num">${formatMs(s.latencyBeforeMs)}</td><td class="num">${formatMs(s.latencyAfterMs)}</td><td class="num">${layers.relay ? formatMs(layers.relay.matches[i]?.delayMs) : ''}</td></tr>`)
          .join('')
      : '<tr><td colspan="6">no switch</td></tr>';
    const perLayer = layers.latencyByLayer
      .map((l) => `<tr><td>${l.layer}: ${l.width}x${l.height}</td><td class="num">${l.frames}</td><td class="num">${formatMs(l.latencyMs?.p50)}</td><td class="num">${formatMs(l.latencyMs?.p95)}</td></tr>`)
      .join('');
    return `<div><h3><span class="swatch" style="background:${esc(colour)}"></span>${esc(path.id)} #${esc(v.viewer)}</h3>${svg}
<div class="grid"><div class="table-wrap"><table><thead><tr><th>Switch at</th><th>Layers</th><th>Freeze (ms)</th><th>Latency before (ms)</th><th>Latency after (ms)</th><th>After relay switch (ms)</th></tr></thead><tbody>${switches}</tbody></table></div>
<div class="table-wrap"><table><thead><tr><th>Layer</th><th>Frames</th><th>p50 (ms)</th><th>p95 (ms)</th></tr></thead><tbody>${perLayer}</tbody></table></div></div></div>`;
  });
  return `<section class="card" id="simulcast-layers"><h2>Simulcast layer over time</h2>
<p class="hint">The spatial layer each simulcast viewer displayed, per second (the layer most of that second's timed frames had, from their
decoded size; 0 = smallest), t = seconds since the run started as in the latency chart. Dashed lines: the path's network changes.
A switch's <strong>freeze</strong> is the display gap between the old layer's last frame and the new layer's first.
Dark ticks (mediasoup): where the relay itself switched the layer it forwards; <strong>after relay switch</strong> is the time from that
switch to the page's first frame of the layer (— when the relay was not forwarding it: a disagreement).</p>
${charts.join('\n')}</section>`;
}
