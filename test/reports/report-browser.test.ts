import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { formatMs } from '../../reports/format.ts';
import { medianOf } from '../../reports/path-summary.ts';
import { writeReport } from '../../reports/report-commands.ts';
import { sharedRunDir } from '../support/shared-run.ts';
import { writeSyntheticRunDir } from './fixtures/synthetic-run.ts';

/** The report in a real headless Chromium, opened from file:// with every other request intercepted. */

let browser: Promise<Browser> | undefined;

/** Started on first use, so that it is not running while sharedRunDir() makes (and measures) the real run. */
function chromium(): Promise<Browser> {
  browser ??= puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return browser;
}

afterAll(async () => {
  await (await browser)?.close();
});

interface Opened {
  page: Page;
  /** Every request other than the report file itself (each was aborted). */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
}

async function openReport(file: string): Promise<Opened> {
  const page = await (await chromium()).newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const errors: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url() === url) return void request.continue();
    requests.push(request.url());
    void request.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.chartsReady ?? document.documentElement.dataset.chartsError, { timeout: 15_000 });
  return { page, requests, errors };
}

/**
 * Per canvas: its chart kind, how many of its pixels are not transparent, and how many pixels inside the plot area
 * (legend and axes excluded) carry one of the report's path or viewer colours, i.e. drawn data.
 */
function inkPerCanvas(page: Page): Promise<{ chart: string; inked: number; pixels: number; dataInk: number }[]> {
  return page.$$eval('canvas', (canvases) => {
    const data = JSON.parse(document.getElementById('lab-data')!.textContent!) as { paths: { colour: string; viewers: { colour: string }[]; webrtc: { colour: string }[] }[] };
    const colours = data.paths
      .flatMap((p) => [p.colour, ...p.viewers.map((v) => v.colour), ...p.webrtc.map((w) => w.colour)])
      .map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]);
    const ChartJs = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { chartArea: { left: number; top: number; right: number; bottom: number } } | undefined } }).Chart;
    return canvases.map((canvas) => {
      const ctx = canvas.getContext('2d')!;
      const { data: all } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 3; i < all.length; i += 4) if (all[i] !== 0) inked++;
      let dataInk = 0;
      const area = ChartJs.getChart(canvas)?.chartArea;
      if (area) {
        const scale = canvas.width / canvas.getBoundingClientRect().width;
        const [x, y] = [Math.floor(area.left * scale), Math.floor(area.top * scale)];
        const [w, h] = [Math.ceil((area.right - area.left) * scale), Math.ceil((area.bottom - area.top) * scale)];
        const { data: plot } = ctx.getImageData(x, y, Math.max(1, w), Math.max(1, h));
        for (let i = 0; i < plot.length; i += 4) {
          if (plot[i + 3]! < 128) continue;
          if (colours.some(([r, g, b]) => Math.abs(plot[i]! - r) + Math.abs(plot[i + 1]! - g) + Math.abs(plot[i + 2]! - b) < 40)) dataInk++;
        }
      }
      return { chart: `${canvas.dataset.chart}${canvas.dataset.path ?? ''}`, inked, pixels: canvas.width * canvas.height, dataInk };
    });
  });
}

interface TimelineChart {
  chartArea: { left: number; top: number; right: number; bottom: number };
  legend: { bottom: number };
  scales: { x: { getPixelForValue(v: number): number } };
  data: { datasets: { label?: string }[] };
  setDatasetVisibility(i: number, visible: boolean): void;
  update(): void;
}

/**
 * Per scheduled network change in #lab-data: how many pixels of its path's colour the timeline canvas has in a 3 px
 * column at the change's t inside the plot area (out of `height` rows), how many in the band between the legend and
 * the plot (its label), and that band's height.
 */
function markerInk(page: Page): Promise<{ label: string; columnInk: number; height: number; labelInk: number; band: number }[]> {
  return page.$eval('canvas[data-chart="timeline"]', (canvas) => {
    const data = JSON.parse(document.getElementById('lab-data')!.textContent!) as { paths: { colour: string }[]; networkChanges: { pathIndex: number; t: number; label: string }[] };
    const chart = (window as unknown as { Chart: { getChart(c: unknown): TimelineChart } }).Chart.getChart(canvas)!;
    const ctx = (canvas as HTMLCanvasElement).getContext('2d')!;
    const scale = (canvas as HTMLCanvasElement).width / canvas.getBoundingClientRect().width;
    const area = chart.chartArea;
    const count = (x: number, y: number, w: number, h: number, [r, g, b]: number[]) => {
      const px = ctx.getImageData(Math.round(x * scale), Math.round(y * scale), Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 128 && Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - g!) + Math.abs(px[i + 2]! - b!) < 40) n++;
      return n;
    };
    return data.networkChanges.map((m) => {
      const hex = data.paths[m.pathIndex]!.colour;
      const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const x = chart.scales.x.getPixelForValue(m.t);
      const band = area.top - chart.legend.bottom;
      return {
        label: m.label,
        columnInk: count(x - 1, area.top, 3, area.bottom - area.top, rgb),
        height: Math.round((area.bottom - area.top) * scale),
        labelInk: count(x - 260, chart.legend.bottom, 520, band, rgb),
        band,
      };
    });
  });
}

async function expectCleanPage({ page, requests, errors }: Opened): Promise<void> {
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.dataset.chartsError)).toBeUndefined();
  const ink = await inkPerCanvas(page);
  expect(ink.length).toBeGreaterThan(0);
  expect(Number(await page.evaluate(() => document.documentElement.dataset.chartsReady))).toBe(ink.length);
  for (const canvas of ink) {
    expect(canvas.pixels, canvas.chart).toBeGreaterThan(0);
    expect(canvas.inked, `${canvas.chart} drew nothing`).toBeGreaterThan(0);
    // Data drawn in the plot area in a path's colour (a line, bars, dots), not just axes and grid.
    expect(canvas.dataInk, `${canvas.chart} drew no data`).toBeGreaterThan(200);
  }
}

function outFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'lab-report-')), 'report.html');
}

describe('report in Chromium', () => {
  it('renders a real run: no requests, no console errors, every chart drawn, table equal to results.json', async () => {
    const runDir = await sharedRunDir();
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Results;
    const opened = await openReport(await writeReport(runDir, outFile()));
    const { page } = opened;
    try {
      await expectCleanPage(opened);
      const rows = await page.$$eval('table.summary tbody tr', (trs) =>
        trs.map((tr) => ({
          path: tr.getAttribute('data-path'),
          cells: Object.fromEntries(
            [...tr.querySelectorAll<HTMLElement>('td[data-field]')].map((td) => [td.dataset.field!, { value: td.dataset.value, text: td.textContent!.trim(), data: { ...td.dataset } }]),
          ),
        })),
      );
      expect(rows.map((r) => r.path)).toEqual(results.paths.map((p) => p.id));
      for (const [i, path] of results.paths.entries()) {
        const cells = rows[i]!.cells;
        for (const key of ['p50', 'p95', 'p99', 'min', 'max'] as const) {
          const expected = path.latencyMs?.[key];
          expect(cells[key]!.value === undefined ? undefined : Number(cells[key]!.value), `${path.id} ${key}`).toBe(expected);
          expect(cells[key]!.text, `${path.id} ${key} text`).toBe(formatMs(expected));
        }
        expect(Number(cells.frames!.data.measured)).toBe(path.framesMeasured);
        expect(Number(cells.frames!.data.undecodable)).toBe(path.framesUndecodable);
        const firstFrame = medianOf(path.viewers.flatMap((v) => (v.firstFrameMs === null ? [] : [v.firstFrameMs])));
        expect(cells.firstFrameMs!.text).toBe(formatMs(firstFrame));
        expect(Number(cells.stalls!.data.count)).toBe(path.viewers.reduce((n, v) => n + v.stalls.count, 0));
      }
      const best = Math.min(...results.paths.flatMap((p) => (p.latencyMs ? [p.latencyMs.p50] : [])));
      const fastest = rows.filter((r) => r.cells.relative?.text === 'fastest').map((r) => r.path);
      expect(fastest).toEqual([results.paths.find((p) => p.latencyMs?.p50 === best)!.id]);
      await page.screenshot({ path: '/tmp/report-shot.png', fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('draws every chart kind (HLS model, per viewer, WebRTC stats) and switches latency axes to log and back', async () => {
    const opened = await openReport(await writeReport(writeSyntheticRunDir({ seconds: 40 })));
    const { page } = opened;
    try {
      await expectCleanPage(opened);
      const kinds = new Set((await inkPerCanvas(page)).map((c) => c.chart.replace(/\d+$/, '')));
      expect([...kinds].sort()).toEqual(['cdf', 'histogram', 'percentiles', 'segments', 'timeline', 'viewers', 'webrtc-jitter', 'webrtc-lost']);
      const yType = () => page.$eval('canvas[data-chart="timeline"]', (c) => (window as unknown as { Chart: { getChart(c: unknown): { options: { scales: { y: { type: string } } } } } }).Chart.getChart(c)!.options.scales.y.type);
      const checked = await page.$eval('#log-scale', (el) => (el as HTMLInputElement).checked);
      expect(checked).toBe(true); // HLS ≈ 100 × WebRTC: log by default
      expect(await yType()).toBe('logarithmic');
      await page.click('#log-scale');
      expect(await yType()).toBe('linear');
      await page.click('#log-scale');
      expect(await yType()).toBe('logarithmic');
      expect(opened.errors).toEqual([]);
      await page.emulateMediaType('print');
      expect(await page.$eval('#toolbar', (el) => getComputedStyle(el).display)).toBe('none');
    } finally {
      await page.close();
    }
  });

  it('draws scheduled network changes as dashed lines in the path colour, labelled above the plot, hidden with their path', async () => {
    const opened = await openReport(await writeReport(writeSyntheticRunDir({ seconds: 40, network: true })));
    const { page } = opened;
    try {
      await expectCleanPage(opened);
      const markers = await markerInk(page);
      expect(markers.map((m) => m.label)).toEqual(['hls-1s: up 270±50 ms', 'hls-1s: down 3 % loss', 'webrtc-h264: up 270±50 ms', 'webrtc-h264: down 3 % loss']);
      for (const m of markers) {
        // Two paths change at the same t: their dashes interleave, each colour on about a third of the column.
        expect(m.columnInk / m.height, `${m.label}: dashed line`).toBeGreaterThan(0.2);
        expect(m.columnInk / m.height, `${m.label}: dashed, not solid`).toBeLessThan(0.8);
        expect(m.labelInk, `${m.label}: label`).toBeGreaterThan(20);
      }
      // Both labels at one t stack in two rows in a band between the legend and the plot, not over the data.
      expect(markers[0]!.band).toBeGreaterThanOrEqual(2 * 15);
      await page.$eval('canvas[data-chart="timeline"]', (canvas) => {
        const chart = (window as unknown as { Chart: { getChart(c: unknown): TimelineChart } }).Chart.getChart(canvas)!;
        chart.data.datasets.forEach((d, i) => d.label?.startsWith('hls-1s') && chart.setDatasetVisibility(i, false));
        chart.update();
      });
      const hidden = await markerInk(page);
      for (const m of hidden) {
        if (m.label.startsWith('hls-1s')) expect(m.columnInk, `${m.label} hidden with its path`).toBeLessThan(m.height * 0.05);
        else expect(m.columnInk / m.height, `${m.label} still drawn`).toBeGreaterThan(0.2);
      }
      expect(hidden[0]!.band, 'one row of labels left').toBeGreaterThanOrEqual(15);
      expect(hidden[0]!.band).toBeLessThan(30);
      expect(opened.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows hostile names as text and runs no injected script', async () => {
    const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    const dir = writeSyntheticRunDir({ seconds: 5, description: evil, status: 'failed', error: evil });
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    results.scenario.name = evil;
    results.paths[0]!.id = `p-${evil}`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
    const opened = await openReport(await writeReport(dir, outFile()));
    const { page } = opened;
    try {
      await expectCleanPage(opened);
      expect(await page.$eval('h1', (h) => h.textContent)).toBe(evil);
      expect(await page.$eval('.description', (p) => p.textContent)).toBe(evil);
      expect(await page.$eval('table.summary tbody tr th .path-id', (s) => s.textContent)).toBe(`p-${evil}`);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.$$eval('script', (s) => s.length)).toBe(3);
      expect(await page.$$eval('main img', (s) => s.length)).toBe(0);
    } finally {
      await page.close();
    }
  });
});
