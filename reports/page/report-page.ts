import type { Chart as ChartJs } from 'chart.js';
import { LabError } from '../../core/errors.ts';
import type { ReportData } from '../report-data.ts';
import { cdfChart, histogramChart, percentilesChart, segmentsChart, timelineChart, viewersChart, webrtcChart } from './chart-configs.ts';
import { latencyScale, type ChartSpec } from './chart-helpers.ts';

/**
 * The report page's script (bundled by esbuild into an IIFE and inlined after Chart.js's UMD build). It reads the
 * JSON in #lab-data, draws every `canvas[data-chart]`, wires the log-scale toggle and print handling, and marks
 * <html data-charts-ready> (the count of charts) or data-charts-error when done.
 */

declare global {
  interface Window {
    Chart?: typeof ChartJs;
  }
}

interface Drawn {
  chart: ChartJs;
  latencyAxis: ChartSpec['latencyAxis'];
  logMin?: number;
}

function specFor(canvas: HTMLCanvasElement, data: ReportData, log: boolean): ChartSpec | null {
  const path = canvas.dataset.path === undefined ? undefined : data.paths[Number(canvas.dataset.path)];
  switch (canvas.dataset.chart) {
    case 'timeline':
      return timelineChart(data, log);
    case 'cdf':
      return cdfChart(data, log);
    case 'percentiles':
      return percentilesChart(data, log);
    case 'histogram':
      return path ? histogramChart(path) : null;
    case 'viewers':
      return path ? viewersChart(path) : null;
    case 'segments':
      return segmentsChart(data);
    case 'webrtc-jitter':
      return webrtcChart(data, 'jitter');
    case 'webrtc-lost':
      return webrtcChart(data, 'lost');
    default:
      return null;
  }
}

function setLog(drawn: Drawn[], log: boolean): void {
  for (const { chart, latencyAxis, logMin } of drawn) {
    const scales = chart.options.scales as Record<string, { title?: { text?: unknown } }> | undefined;
    if (!latencyAxis || !scales?.[latencyAxis]) continue;
    const title = scales[latencyAxis].title?.text;
    scales[latencyAxis] = latencyScale(log, typeof title === 'string' ? title : undefined, true, logMin);
    chart.update('none');
  }
}

/** Closed <details> would print closed: open them for printing and restore afterwards. */
function wirePrint(): void {
  let opened: HTMLDetailsElement[] = [];
  window.addEventListener('beforeprint', () => {
    opened = [...document.querySelectorAll('details')].filter((d) => !d.open);
    for (const d of opened) d.open = true;
  });
  window.addEventListener('afterprint', () => {
    for (const d of opened) d.open = false;
    opened = [];
  });
}

/** What keeps the charts from being drawn; its message goes to the page's status line. */
class ReportPageError extends LabError {
  override name = 'ReportPageError';
}

function main(): void {
  const root = document.documentElement;
  const status = document.getElementById('render-status');
  wirePrint();
  try {
    const Chart = window.Chart;
    if (!Chart) throw new ReportPageError('Chart.js did not load');
    const json = document.getElementById('lab-data')?.textContent;
    if (!json) throw new ReportPageError('no #lab-data in the page');
    const data = JSON.parse(json) as ReportData;
    Chart.defaults.animation = false;
    Chart.defaults.responsive = true;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
    Chart.defaults.font.size = 12;
    Chart.defaults.color = '#3d4752';
    const toggle = document.getElementById('log-scale') as HTMLInputElement | null;
    const log = toggle ? toggle.checked : data.logDefault;
    const drawn: Drawn[] = [];
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
      const spec = specFor(canvas, data, log);
      if (!spec) {
        canvas.closest('.chart')?.remove();
        continue;
      }
      drawn.push({ chart: new Chart(canvas, spec.config), latencyAxis: spec.latencyAxis, logMin: spec.logMin });
    }
    toggle?.addEventListener('change', () => setLog(drawn, toggle.checked));
    root.dataset.chartsReady = String(drawn.length);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (status) status.textContent = `Charts could not be drawn: ${message}`;
    root.dataset.chartsError = message;
    console.error(err);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
