import type { ChartDataset, TooltipItem } from 'chart.js';
import { formatAxisMs } from '../format.ts';
import { withAlpha } from '../report-colours.ts';
import type { PathData, ReportData } from '../report-data.ts';
import { groupedLegend, latencyScale, logFloor, maxT, points, timeScale, tooltipMs, type AnyConfig, type ChartSpec } from './chart-helpers.ts';
import { networkMarkers, type TimelineMarker } from './network-markers.ts';
import { freezeMarks, type FreezeSpan } from './freeze-marks.ts';

/** One builder per `data-chart` kind; each returns a Chart.js configuration for the page to instantiate. */

type LineDataset = ChartDataset<'line', { x: number; y: number }[]>;

const lineDefaults = { pointRadius: 0, pointHitRadius: 4, borderWidth: 1.6, tension: 0, spanGaps: false } as const;

function cfg(config: unknown): AnyConfig {
  return config as AnyConfig;
}

function yTooltip(item: TooltipItem<'line'>): string {
  return tooltipMs(item.dataset.label ?? '', item.parsed.y ?? NaN);
}

/** Median line per path with a light min–max band; all viewers merged; audio latency dashed. Scheduled network changes as dashed lines. */
export function timelineChart(data: ReportData, log: boolean): ChartSpec {
  const datasets: LineDataset[] = [];
  const groups: number[][] = [];
  const leaderOf = new Map<number, number>();
  for (const [index, path] of data.paths.entries()) {
    if (!path.timeline.t.length) continue;
    const s = path.timeline;
    const first = datasets.length;
    leaderOf.set(index, first);
    datasets.push({ ...lineDefaults, label: path.id, data: points(s.t, s.p50), borderColor: path.colour, backgroundColor: path.colour, order: 0 });
    datasets.push({ ...lineDefaults, label: `${path.id} max`, data: points(s.t, s.max), borderWidth: 0, borderColor: 'transparent', fill: false, order: 1 });
    datasets.push({ ...lineDefaults, label: `${path.id} min`, data: points(s.t, s.min), borderWidth: 0, borderColor: 'transparent', backgroundColor: withAlpha(path.colour, 0.14), fill: '-1', order: 1 });
    groups.push([first, first + 1, first + 2]);
    if (path.audio) {
      // The path's audio latency (issue 19), dashed in the path's colour, a legend entry of its own.
      groups.push([datasets.length]);
      datasets.push({ ...lineDefaults, label: `${path.id} audio`, data: points(path.audio.t, path.audio.p50), borderColor: path.colour, backgroundColor: path.colour, borderDash: [6, 4], order: 0 });
    }
  }
  const leaders = new Set(groups.map((g) => g[0]));
  const markers: TimelineMarker[] = data.networkChanges.flatMap((m) => {
    const path = data.paths[m.pathIndex];
    return path ? [{ t: m.t, label: m.label, colour: path.colour, datasetIndex: leaderOf.get(m.pathIndex) ?? null }] : [];
  });
  const marked = markers.length ? networkMarkers(markers) : null;
  const spans: FreezeSpan[] = (data.freezes ?? []).flatMap((f) => {
    const path = data.paths[f.pathIndex];
    return path ? [{ t: f.t, seconds: f.ms / 1000, colour: path.colour, datasetIndex: leaderOf.get(f.pathIndex) ?? null }] : [];
  });
  const plugins = [...(marked ? [marked.plugin] : []), ...(spans.length ? [freezeMarks(spans)] : [])];
  return {
    latencyAxis: 'y',
    config: cfg({
      type: 'line',
      data: { datasets },
      plugins,
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: { x: timeScale(maxT(data.paths.map((p) => p.timeline))), y: latencyScale(log) },
        plugins: {
          legend: groupedLegend(groups),
          tooltip: { filter: (item: TooltipItem<'line'>) => leaders.has(item.datasetIndex), callbacks: { label: yTooltip } },
          ...(marked ? { subtitle: marked.subtitle } : {}),
        },
      },
    }),
  };
}

export function cdfChart(data: ReportData, log: boolean): ChartSpec {
  const datasets: LineDataset[] = data.paths.flatMap((path) =>
    path.cdf ? [{ ...lineDefaults, label: path.id, data: points(path.cdf.ms, path.cdf.p), borderColor: path.colour, backgroundColor: path.colour, borderWidth: 2 }] : [],
  );
  return {
    latencyAxis: 'x',
    config: cfg({
      type: 'line',
      data: { datasets },
      options: {
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: latencyScale(log),
          y: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'fraction of frames ≤ latency' }, ticks: { callback: (v: number | string) => `${Math.round(Number(v) * 100)} %` } },
        },
        plugins: {
          tooltip: {
            callbacks: { label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${(item.parsed.y! * 100).toFixed(1)} % ≤ ${formatAxisMs(item.parsed.x!)}` },
          },
        },
      },
    }),
  };
}

const PERCENTILE_ALPHA = { p50: 1, p95: 0.55, p99: 0.28 } as const;

export function percentilesChart(data: ReportData, log: boolean): ChartSpec {
  const paths = data.paths.filter((p) => p.summary);
  const datasets = (['p50', 'p95', 'p99'] as const).map((key) => ({
    label: key,
    data: paths.map((p) => p.summary![key]),
    backgroundColor: paths.map((p) => withAlpha(p.colour, PERCENTILE_ALPHA[key])),
    borderColor: paths.map((p) => p.colour),
    borderWidth: 1,
  }));
  const logMin = logFloor(paths.map((p) => p.summary!.p50));
  return {
    latencyAxis: 'y',
    logMin,
    config: cfg({
      type: 'bar',
      data: { labels: paths.map((p) => p.id), datasets },
      options: {
        scales: { x: { grid: { display: false } }, y: latencyScale(log, undefined, true, logMin) },
        plugins: {
          legend: {
            labels: {
              generateLabels: () =>
                datasets.map((d, i) => ({
                  text: `${d.label}${i === 0 ? ' (solid)' : i === 1 ? ' (lighter)' : ' (lightest)'}`,
                  fillStyle: withAlpha('#5b6673', PERCENTILE_ALPHA[d.label]),
                  strokeStyle: '#5b6673',
                  lineWidth: 1,
                  datasetIndex: i,
                })),
            },
          },
          tooltip: { callbacks: { label: (item: TooltipItem<'bar'>) => tooltipMs(item.dataset.label ?? '', item.parsed.y ?? NaN) } },
        },
      },
    }),
  };
}

/** Bin edge label precise enough for the bin width: "6355 ms" for 5-ms bins, "6.5 s" for 500-ms bins. */
export function formatBinMs(value: number, width: number): string {
  if (width >= 100 && Math.abs(value) >= 1000) {
    const decimals = width >= 1000 ? 0 : 1;
    return `${(value / 1000).toFixed(decimals)} s`;
  }
  return `${value.toFixed(width < 1 ? 1 : 0)} ms`;
}

export function histogramChart(path: PathData): ChartSpec | null {
  const h = path.histogram;
  if (!h) return null;
  const edge = (i: number) => formatBinMs(h.start + i * h.width, h.width);
  const labels = h.counts.map((_, i) => edge(i));
  const counts = [...h.counts];
  const colours = counts.map(() => withAlpha(path.colour, 0.85));
  if (h.overflow > 0) {
    labels.push(`> ${edge(h.counts.length)}`);
    counts.push(h.overflow);
    colours.push(withAlpha(path.colour, 0.35));
  }
  const frames = path.distributionSource === 'samples' ? 'frames' : '≈ frames';
  return {
    latencyAxis: null,
    config: cfg({
      type: 'bar',
      data: { labels, datasets: [{ label: path.id, data: counts, backgroundColor: colours, borderWidth: 0, barPercentage: 1, categoryPercentage: 1 }] },
      options: {
        scales: {
          x: { title: { display: true, text: `latency (bins of ${formatBinMs(h.width, h.width)})` }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 }, grid: { display: false } },
          y: { beginAtZero: true, title: { display: true, text: frames } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'bar'>[]) => {
                const i = items[0]?.dataIndex ?? 0;
                return i >= h.counts.length ? labels[i] : `${edge(i)} – ${edge(i + 1)}`;
              },
              label: (item: TooltipItem<'bar'>) => `${item.parsed.y} ${frames} (${((100 * (item.parsed.y ?? 0)) / Math.max(1, h.total)).toFixed(1)} %)`,
            },
          },
        },
      },
    }),
  };
}

export function viewersChart(path: PathData): ChartSpec | null {
  if (path.viewers.length < 2) return null;
  const datasets: LineDataset[] = path.viewers.map((v) => ({
    ...lineDefaults,
    label: `viewer #${v.viewer}`,
    data: points(v.series.t, v.series.p50),
    borderColor: v.colour,
    backgroundColor: v.colour,
  }));
  // One path's viewers sit close together: a linear axis not starting at zero shows them apart (no log toggle).
  return {
    latencyAxis: null,
    config: cfg({
      type: 'line',
      data: { datasets },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: { x: timeScale(maxT(path.viewers.map((v) => v.series))), y: latencyScale(false, `${path.id}: latency`, false) },
        plugins: { tooltip: { callbacks: { label: yTooltip } } },
      },
    }),
  };
}

export function segmentsChart(data: ReportData): ChartSpec | null {
  const seg = data.segments;
  if (!seg) return null;
  const maxX = Math.max(...seg.points.map((p) => p.segmentDuration)) * 1.15;
  const datasets: unknown[] = [
    {
      type: 'line',
      label: `model: ${seg.factor} × segment duration`,
      data: [{ x: 0, y: 0 }, { x: maxX, y: seg.factor * maxX * 1000 }],
      borderColor: '#5b6673',
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
    },
  ];
  for (const p of seg.points) {
    const path = data.paths[p.path]!;
    datasets.push({ label: `${path.id} p50`, data: [{ x: p.segmentDuration, y: p.p50 }], backgroundColor: path.colour, borderColor: path.colour, pointRadius: 7 });
    datasets.push({ label: `${path.id} p95`, data: [{ x: p.segmentDuration, y: p.p95 }], backgroundColor: 'transparent', borderColor: path.colour, borderWidth: 2, pointRadius: 7 });
  }
  return {
    latencyAxis: null,
    config: cfg({
      type: 'scatter',
      data: { datasets },
      options: {
        scales: {
          x: { type: 'linear', min: 0, max: maxX, title: { display: true, text: 'segment duration (s)' } },
          y: latencyScale(false),
        },
        plugins: {
          legend: { labels: { filter: (item: { text: string }) => !item.text.endsWith(' p95') } },
          tooltip: { callbacks: { label: (item: TooltipItem<'scatter'>) => `${item.dataset.label}: ${formatAxisMs(item.parsed.y ?? NaN)} at ${item.parsed.x} s segments` } },
        },
      },
    }),
  };
}

function webrtcDatasets(data: ReportData, pick: 'jitterBufferDelayMs' | 'packetsLost', stepped: boolean): LineDataset[] {
  return data.paths.flatMap((path) =>
    path.webrtc.map((w) => ({
      ...lineDefaults,
      label: path.webrtc.length > 1 ? `${path.id} #${w.viewer}` : path.id,
      data: points(w.t, w[pick]),
      borderColor: w.colour,
      backgroundColor: w.colour,
      stepped: stepped ? ('after' as const) : false,
    })),
  );
}

export function webrtcChart(data: ReportData, kind: 'jitter' | 'lost'): ChartSpec | null {
  const datasets = webrtcDatasets(data, kind === 'jitter' ? 'jitterBufferDelayMs' : 'packetsLost', kind === 'lost');
  if (!datasets.length) return null;
  const cumulative = data.paths.some((p) => p.webrtc.some((w) => w.packetsLostCumulative));
  return {
    latencyAxis: null,
    config: cfg({
      type: 'line',
      data: { datasets },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: timeScale(maxT(data.paths.flatMap((p) => p.webrtc))),
          y:
            kind === 'jitter'
              ? latencyScale(false, 'jitter-buffer delay')
              : { type: 'linear', beginAtZero: true, title: { display: true, text: cumulative ? 'packets lost (total)' : 'packets lost per interval' }, ticks: { precision: 0 } },
        },
        plugins: kind === 'jitter' ? { tooltip: { callbacks: { label: yTooltip } } } : {},
      },
    }),
  };
}
