import type { Results } from '../harness/results/types.ts';
import { hlsBreakdownHtml } from './hls-breakdown.ts';
import { webrtcBreakdownHtml } from './webrtc-breakdown.ts';
import { simulcastLayersHtml } from './simulcast-layers.ts';
import { joinWaterfallHtml } from './join-waterfall.ts';
import { audioSyncHtml } from './audio-sync.ts';
import { escapeHtml as esc, jsonForScript } from './html.ts';
import { networkChangesHtml } from './network-changes.ts';
import { playerComparisonHtml } from './player-comparison.ts';
import { loadPageAssetsSync, type PageAssets } from './page-assets.ts';
import { summarizePaths } from './path-summary.ts';
import { buildReportData, type PathSamples, type ReportData } from './report-data.ts';
import {
  canvas, chartCard, environmentHtml, headerHtml, howToReadHtml, summaryTableHtml, viewersHtml, webrtcTableHtml,
} from './report-sections.ts';
import { REPORT_CSS } from './report-styles.ts';

export interface RenderReportOptions {
  /** Latency values (ms) per path id, e.g. loadRun()'s samples from samples.csv: makes the CDF and histograms exact. */
  samples?: PathSamples;
  /** Chart.js and the page bundle; built (once per process) when left out. */
  assets?: PageAssets;
  /** Points per drawn line (default 600); statistics are never downsampled. */
  maxPoints?: number;
  /** Shown in the footer when given (left out by default so the same input renders the same page). */
  generatedAt?: Date;
}

/**
 * The whole report as one self-contained HTML page: styles, Chart.js, the page script and the (downsampled) chart
 * data are inlined, so it opens from file:// with zero network requests. Tables are rendered here; the page script
 * draws the charts from the JSON in #lab-data.
 */
export function renderReport(results: Results, options: RenderReportOptions = {}): string {
  const assets = options.assets ?? loadPageAssetsSync();
  const data = buildReportData(results, { samples: options.samples, maxPoints: options.maxPoints });
  const rows = summarizePaths(results);
  const title = `${results.scenario.name} · ${results.status} · latency-lab`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${headerHtml(results)}
${summaryTableHtml(rows, data, results)}
${playerComparisonHtml(results, data.paths.map((p) => p.colour))}
${chartsHtml(results, data)}
${environmentHtml(results)}
${howToReadHtml()}
<footer>latency-lab ${esc(results.environment.labVersion)} · results.json schemaVersion ${esc(results.schemaVersion)}${options.generatedAt ? ` · report generated ${esc(options.generatedAt.toISOString())}` : ''}</footer>
</main>
<script type="application/json" id="lab-data">${jsonForScript(data)}</script>
<script>${assets.chartJs}</script>
<script>${assets.pageJs}</script>
</body>
</html>
`;
}

function chartsHtml(results: Results, data: ReportData): string {
  const paths = data.paths;
  const withTimeline = paths.some((p) => p.timeline.t.length > 0);
  const withDistribution = paths.filter((p) => p.cdf);
  const approx = withDistribution.some((p) => p.distributionSource === 'timeline');
  const approxNote = approx
    ? ' <span class="approx">Approximate: samples.csv was not available, so this is built from the per-second medians weighted by frame count.</span>'
    : '';
  const legend = paths
    .map((p) => `<span><span class="swatch" style="background:${esc(p.colour)}"></span>${esc(p.id)}</span>`)
    .join('');
  const webrtc = paths.some((p) => p.webrtc.length > 0);
  const lostCumulative = paths.some((p) => p.webrtc.some((w) => w.packetsLostCumulative));
  const parts = [
    withTimeline
      ? chartCard(
          'chart-timeline',
          'Latency over time',
          `Per-second median glass-to-glass latency per path (all viewers merged); the band spans each interval’s min to max. t = seconds since the run started.${
            data.networkChanges.length ? ' Dashed lines: scheduled changes of a path’s network link, in its colour (listed below).' : ''
          }${data.freezes.length ? ` Shaded spans with a bar on the time axis: viewer freezes (${data.freezes.length}; no new frame for longer than max(3 × the mean frame interval, mean + 150 ms)), in the path’s colour.` : ''}`,
          canvas('timeline', 'Latency over time per path'),
          networkChangesHtml(results),
        )
      : '',
    simulcastLayersHtml(results, (id) => paths.find((p) => p.id === id)?.colour ?? '#333'),
    withDistribution.length
      ? chartCard(
          'chart-cdf',
          'Latency CDF',
          `Fraction of frames at or below a latency: the further left and steeper, the better.${approxNote}`,
          canvas('cdf', 'Cumulative distribution of latency per path'),
        )
      : '',
    paths.some((p) => p.summary)
      ? chartCard(
          'chart-percentiles',
          'p50 / p95 / p99 per path',
          'Exact percentiles from results.json: solid bar p50, lighter bars p95 and p99.',
          canvas('percentiles', 'p50, p95 and p99 latency per path'),
        )
      : '',
    withDistribution.length
      ? chartCard(
          'chart-histograms',
          'Distribution per path',
          `Histogram of frame latencies per path (own axis each; the slowest 0.5 % are folded into the last bar).${approxNote}`,
          `<div class="grid">${withDistribution
            .map((p) => {
              const i = paths.indexOf(p);
              return `<div><h3><span class="swatch" style="background:${esc(p.colour)}"></span>${esc(p.id)}</h3>${canvas('histogram', `${p.id}: latency histogram`, i, 'chart small')}</div>`;
            })
            .join('')}</div>`,
        )
      : '',
    viewersHtml(results, data),
    hlsBreakdownHtml(results),
    webrtcBreakdownHtml(results),
    joinWaterfallHtml(results),
    audioSyncHtml(results),
    data.segments
      ? chartCard(
          'chart-segments',
          'Latency vs segment duration',
          `HLS paths: measured p50 (dot) and p95 (ring) against the model line latency = ${data.segments.factor} × segment duration (${esc(data.join)} join).`,
          canvas('segments', 'HLS latency against segment duration with the model line'),
        )
      : '',
    webrtc
      ? chartCard(
          'chart-webrtc',
          'WebRTC receiver stats over time',
          `From getStats() on the inbound video stream: mean jitter-buffer delay per interval, and packets lost${lostCumulative ? ' (running total)' : ' per interval'}.`,
          `<div class="grid"><div><h3>Jitter-buffer delay</h3>${canvas('webrtc-jitter', 'WebRTC jitter-buffer delay over time', undefined, 'chart small')}</div><div><h3>Packets lost</h3>${canvas('webrtc-lost', 'WebRTC packets lost over time', undefined, 'chart small')}</div></div>`,
          webrtcTableHtml(results),
        )
      : '',
  ].filter(Boolean);
  if (!parts.length) return '';
  return `<div class="toolbar" id="toolbar"><label><input type="checkbox" id="log-scale"${data.logDefault ? ' checked' : ''}> Log-scale latency axes</label><div class="legend">${legend}</div><span id="render-status" class="render-error" role="status"></span></div>
${parts.join('\n')}`;
}
