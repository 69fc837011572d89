import { stringify as toYaml } from 'yaml';
import type { PathResult, Results, ViewerResult } from '../harness/results/types.ts';
import { DASH, formatCount, formatDuration, formatMs, formatSignedMs, formatSlower, formatTimestamp } from './format.ts';
import { escapeHtml as esc } from './html.ts';
import { hlsModelSegments, HLS_JS_LIVE_SYNC_DURATION_COUNT } from '../harness/scenario/latency-model.ts';
import type { PathRow } from './path-summary.ts';
import { medianOf } from './path-summary.ts';
import type { ReportData } from './report-data.ts';
import { validityBannerHtml } from './validity-banner.ts';

/** Server-rendered parts of the report (plain HTML, readable without JavaScript and in print). */

const STATUS_TEXT = {
  complete: 'Complete',
  interrupted: 'Interrupted: partial results',
  failed: 'Failed: partial results at best',
} as const;

export function headerHtml(results: Results): string {
  const s = results.scenario;
  const status = results.status;
  const facts: [string, string][] = [
    ['Started', formatTimestamp(results.startedAt)],
    ['Wall time', formatDuration(results.wallSeconds)],
    ['Measured', `${s.duration} s per viewer after a ${s.warmup} s warm-up`],
    ['Join', `${s.join}${results.joinWaitSeconds ? ` (last viewer joined after ${formatDuration(results.joinWaitSeconds)})` : ''}`],
    ['Video', `${s.video.width}×${s.video.height} @ ${s.video.fps} fps, ${s.video.bitrateKbps} kbps`],
  ];
  const banner =
    status === 'complete'
      ? results.error
        ? `<div class="banner banner-note"><strong>Note</strong><pre>${esc(results.error)}</pre></div>`
        : ''
      : `<div class="banner banner-${esc(status)}" role="alert"><strong>Run ${esc(String(status).toUpperCase())}</strong> — ` +
        `${status === 'interrupted' ? 'the run was stopped before it finished' : 'a component failed'}; ` +
        `the numbers below cover only what was measured.${results.error ? `<pre>${esc(results.error)}</pre>` : ''}</div>`;
  const e = results.environment;
  const env: [string, string][] = [
    ['Node.js', e.node],
    ['ffmpeg', shortVersion(e.ffmpeg.version)],
    ['Browser', shortVersion(e.browser.version)],
    ['CPUs', `${e.cpus.count} × ${e.cpus.model}`],
  ];
  const dl = (items: [string, string][], cls: string) =>
    `<dl class="facts ${cls}">${items.map(([k, v]) => `<div><dt>${k}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
  return `<header class="report-header">
  <p class="eyebrow">latency-lab report</p>
  <div class="title-row"><h1>${esc(s.name)}</h1><span class="status status-${esc(status)}" data-status="${esc(status)}">${esc(STATUS_TEXT[status] ?? status)}</span></div>
  ${s.description ? `<p class="description">${esc(s.description)}</p>` : ''}
  ${dl(facts, 'run')}
  ${dl(env, 'tools')}
  <details class="scenario"><summary>Resolved scenario</summary><pre>${esc(toYaml(results.scenario))}</pre></details>
</header>
${banner}${validityBannerHtml(results)}`;
}

function cell(field: string, value: number | null | undefined, text: string, extra = ''): string {
  const attr = value === null || value === undefined || !Number.isFinite(value) ? '' : ` data-value="${value}"`;
  return `<td class="num${extra}" data-field="${field}"${attr}>${esc(text)}</td>`;
}

function swatch(colour: string): string {
  return `<span class="swatch" style="background:${esc(colour)}"></span>`;
}

export function summaryTableHtml(rows: PathRow[], data: ReportData, results: Results): string {
  const hasHls = rows.some((r) => r.modelMs !== null);
  const body = rows
    .map((row) => {
      const l = row.latency;
      const colour = data.paths[row.index]?.colour ?? '#666';
      const relative = row.fastest
        ? '<td class="rel fastest" data-field="relative">fastest</td>'
        : row.slowerRatio !== null
          ? `<td class="rel" data-field="relative" data-value="${row.slowerRatio}">${esc(formatSlower(row.slowerRatio))}</td>`
          : `<td class="rel" data-field="relative">${DASH}</td>`;
      const hlsCells = hasHls
        ? cell('model', row.modelMs, formatMs(row.modelMs)) + cell('modelDelta', row.modelDeltaMs, formatSignedMs(row.modelDeltaMs))
        : '';
      return `<tr data-path="${esc(row.id)}"${row.fastest ? ' class="is-fastest"' : ''}>
  <th scope="row">${swatch(colour)}<span class="path-id">${esc(row.id)}</span>${row.errors.length ? ' <span class="warn" title="viewer errors below">⚠</span>' : ''}<span class="kind">${esc(row.kind)}${row.via ? ` · ${esc(row.via)}` : ''}${row.viewerCount > 1 ? ` · ${row.viewerCount} viewers` : ''}</span></th>
  ${cell('p50', l?.p50, formatMs(l?.p50), ' key')}${cell('p95', l?.p95, formatMs(l?.p95))}${cell('p99', l?.p99, formatMs(l?.p99))}${cell('min', l?.min, formatMs(l?.min))}${cell('max', l?.max, formatMs(l?.max))}
  <td class="num" data-field="frames" data-measured="${esc(row.framesMeasured)}" data-undecodable="${esc(row.framesUndecodable)}">${formatCount(row.framesMeasured)} / <span${row.framesUndecodable ? ' class="bad"' : ''}>${formatCount(row.framesUndecodable)}</span></td>
  ${cell('firstFrameMs', row.firstFrameMs, formatMs(row.firstFrameMs))}
  <td class="num" data-field="stalls" data-count="${esc(row.stalls.count)}" data-total-ms="${esc(row.stalls.totalMs)}">${row.stalls.count ? `${formatCount(row.stalls.count)} <small>(${esc(formatDuration(row.stalls.totalMs / 1000))})</small>` : '0'}</td>
  ${hlsCells}${relative}
</tr>`;
    })
    .join('\n');
  const factor = hlsModelSegments(results.scenario.join);
  const errors = rows.flatMap((r) => r.errors.map((e) => `<li><strong>${esc(r.id)}</strong> ${esc(e)}</li>`));
  return `<section class="card" id="summary">
<h2>Summary</h2>
<div class="table-wrap"><table class="summary">
<thead><tr><th scope="col">Path</th><th scope="col">p50<br><small>ms</small></th><th scope="col">p95<br><small>ms</small></th><th scope="col">p99<br><small>ms</small></th><th scope="col">min<br><small>ms</small></th><th scope="col">max<br><small>ms</small></th>
<th scope="col">Frames<br><small>measured / undecodable</small></th><th scope="col">First frame<br><small>ms, median of viewers</small></th><th scope="col">Stalls<br><small>count (time)</small></th>
${hasHls ? `<th scope="col">HLS model<br><small>ms, ${factor} × segment${rows.some((r) => r.kind === 'll-hls') ? '; LL-HLS: hold-back + part' : ''}${rows.some((r) => r.kind === 'dash' || r.kind === 'll-dash') ? '; DASH: target latency' : ''}${rows.some((r) => r.kind === 'flv') ? '; FLV: where liveSync settles' : ''}</small></th><th scope="col">Measured − model<br><small>ms, p50 − model</small></th>` : ''}<th scope="col">vs fastest<br><small>by p50</small></th></tr></thead>
<tbody>
${body}
</tbody></table></div>
<p class="hint">Glass-to-glass latency in ms, exact over every measured frame of every viewer (results.json). ${hasHls ? `HLS model: a ${esc(results.scenario.join)} join sits ${factor} × segmentDuration behind live (hls.js liveSyncDurationCount = ${HLS_JS_LIVE_SYNC_DURATION_COUNT}${factor === 1 ? ', but a first-segment joiner starts on the only segment there is' : ''}); ${rows.some((r) => r.kind === 'll-hls') ? ' LL-HLS model: hls.js plays PART-HOLD-BACK behind the live edge, which trails by about one part.' : ''} “measured − model” is what encoding, packaging, delivery and decode add.` : ''}</p>
${errors.length ? `<div class="problems"><h3>Viewer errors</h3><ul>${errors.join('')}</ul></div>` : ''}
</section>`;
}

/** "ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023 …" → "6.1.1-3ubuntu5"; "Chromium 142.0…" stays. */
export function shortVersion(version: string): string {
  return version.replace(/\s+Copyright.*$/i, '').replace(/^ffmpeg version\s+/i, '').trim() || version;
}

export function environmentHtml(results: Results): string {
  const e = results.environment;
  const rows: [string, string][] = [
    ['Node.js', e.node],
    ['ffmpeg', `${e.ffmpeg.version} (${e.ffmpeg.path})`],
    ['Browser', `${e.browser.version} (${e.browser.path})`],
    ['CPUs', `${e.cpus.count} × ${e.cpus.model}`],
    ['Memory', `${e.memoryGiB} GiB`],
    ['OS', e.os],
    ['latency-lab', e.labVersion],
  ];
  const load = results.validity?.measured.loadAverage;
  if (load) rows.push(['Load average (1 min)', `${load.atStart} when the run started, ${load.windowEnd} at the end of the measurement window`]);
  const src = results.source;
  if (src) {
    rows.push(['Source', `${src.fps} fps, ${formatCount(src.framesSent)} frames sent, GOP ${src.gop} frames`]);
    rows.push([
      'Source pacing',
      `hand-offs late by p50 ${formatMs(src.pacing.lateMsP50)} ms, p99 ${formatMs(src.pacing.lateMsP99)} ms, max ${formatMs(src.pacing.lateMsMax)} ms; ${formatCount(src.pacing.backpressured)} backpressured`,
    ]);
  }
  return `<section class="card" id="environment">
<h2>Environment and source</h2>
<dl class="env">${rows.map(([k, v]) => `<div><dt>${k}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
</section>`;
}

function viewerRowHtml(path: PathResult, v: ViewerResult): string {
  const l = v.latencyMs;
  return `<tr data-viewer="${esc(v.viewer)}"><th scope="row">#${esc(v.viewer)}</th>${cell('p50', l?.p50, formatMs(l?.p50))}${cell('p95', l?.p95, formatMs(l?.p95))}${cell('p99', l?.p99, formatMs(l?.p99))}
<td class="num">${formatCount(v.framesMeasured)} / ${formatCount(v.framesUndecodable)}</td><td class="num">${formatCount(v.framesPresented)} / ${formatCount(v.framesDropped)}</td>
${cell('firstFrameMs', v.firstFrameMs, formatMs(v.firstFrameMs))}<td class="num">${v.stalls?.count ? `${v.stalls.count} <small>(${formatDuration(v.stalls.totalMs / 1000)})</small>` : '0'}</td>
${path.kind === 'hls' ? cell('hlsJs', v.hlsJsLatencyMs ?? null, formatMs(v.hlsJsLatencyMs ?? null)) : ''}<td class="err">${v.error ? esc(v.error) : ''}</td></tr>`;
}

/** Per-viewer table and chart for each path with more than one viewer. */
export function viewersHtml(results: Results, data: ReportData): string {
  const parts = results.paths.flatMap((path, i) => {
    if (path.viewers.length < 2) return [];
    const firsts = medianOf(path.viewers.flatMap((v) => (v.firstFrameMs === null ? [] : [v.firstFrameMs])));
    return [
      `<div class="viewer-block"><h3>${swatch(data.paths[i]!.colour)}${esc(path.id)} <small>${path.viewers.length} viewers, median first frame ${esc(formatMs(firsts))} ms</small></h3>
<div class="chart"><canvas data-chart="viewers" data-path="${i}" role="img" aria-label="${esc(path.id)}: latency over time per viewer"></canvas></div>
<div class="table-wrap"><table class="viewers"><thead><tr><th>Viewer</th><th>p50</th><th>p95</th><th>p99</th><th>Frames<br><small>measured / undecodable</small></th><th>Frames<br><small>presented / dropped</small></th><th>First frame</th><th>Stalls</th>${path.kind === 'hls' ? '<th>hls.js latency<br><small>cross-check</small></th>' : ''}<th>Error</th></tr></thead>
<tbody>${path.viewers.map((v) => viewerRowHtml(path, v)).join('\n')}</tbody></table></div></div>`,
    ];
  });
  if (!parts.length) return '';
  return `<section class="card" id="viewers"><h2>Per viewer</h2><p class="hint">Each viewer runs in its own browser context; lines are each viewer's per-second median.</p>${parts.join('\n')}</section>`;
}

/** WebRTC receiver totals per viewer (getStats), next to the over-time charts. */
export function webrtcTableHtml(results: Results): string {
  const rows = results.paths.flatMap((path) =>
    path.viewers.flatMap((v) => {
      const w = v.webrtcStats;
      if (!w) return [];
      const pair = w.candidatePair ? `${w.candidatePair.local} → ${w.candidatePair.remote} (${w.candidatePair.protocol})` : DASH;
      return [
        `<tr><th scope="row">${esc(path.id)} #${esc(v.viewer)}</th><td>${esc(w.codec ?? DASH)}</td><td>${esc(pair)}</td><td class="num">${formatCount(w.packetsReceived)}</td><td class="num">${formatCount(w.packetsLost)}</td><td class="num">${formatCount(w.nackCount)}</td><td class="num">${formatCount(w.pliCount)}</td><td class="num">${formatCount(w.freezeCount)}</td><td class="num">${formatMs(w.jitterBufferDelayMs)}</td><td class="num">${formatMs(w.rttMs)}</td></tr>`,
      ];
    }),
  );
  if (!rows.length) return '';
  return `<div class="table-wrap"><table class="webrtc"><thead><tr><th>Viewer</th><th>Codec</th><th>Candidate pair</th><th>Packets received</th><th>Lost</th><th>NACK</th><th>PLI</th><th>Freezes</th><th>Jitter buffer (ms)</th><th>RTT (ms)</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

export function howToReadHtml(): string {
  return `<section class="card how" id="how-to-read">
<h2>How to read this</h2>
<p><strong>Glass-to-glass latency</strong> is, for every frame, the wall-clock time at which the browser presents it
(requestVideoFrameCallback's <code>expectedDisplayTime</code>, mapped onto <code>Date.now()</code>) minus the wall-clock
time stamped into the frame when the source handed it to the encoder. The stamp is the <em>timecode band</em> in the
frame's top-left corner: 40 black/white blocks of 16 × 16 px carrying the milliseconds (32 bits) and a CRC-8, read back
from the decoded frame; frames whose band fails the check count as <em>undecodable</em>.</p>
<p><strong>Classic HLS</strong> sits about three target durations behind live: hls.js starts playback
liveSyncDurationCount (${HLS_JS_LIVE_SYNC_DURATION_COUNT}) segments back from the live edge, and a segment only
exists once it is closed. WebRTC has no segments, so it is typically ~100× lower, hence the log-scale toggle.</p>
<p>Tables are exact (every measured frame). Charts are downsampled for drawing; the CDF and histograms are exact when
the run's samples.csv was available, otherwise approximated from per-second medians (said so under the chart).</p>
</section>`;
}

/** A chart card: title, explanation and a canvas the page script draws into. */
export function chartCard(id: string, title: string, hint: string, canvases: string, extra = ''): string {
  return `<section class="card" id="${id}"><h2>${title}</h2><p class="hint">${hint}</p>${canvases}${extra}</section>`;
}

export function canvas(chart: string, label: string, path?: number, cls = 'chart'): string {
  return `<div class="${cls}"><canvas data-chart="${chart}"${path === undefined ? '' : ` data-path="${path}"`} role="img" aria-label="${esc(label)}"></canvas></div>`;
}
