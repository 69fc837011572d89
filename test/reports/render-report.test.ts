import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { loadPageAssetsSync } from '../../reports/page-assets.ts';
import type { ReportData } from '../../reports/report-data.ts';
import { renderReport } from '../../reports/render-report.ts';
import { DEFAULT_PATHS, syntheticRun } from './fixtures/synthetic-run.ts';

const EVIL = '<script>window.__pwned = 1</script>';

// Assertions on the whole page that print only the needle when they fail (not 250 kB of HTML).
const expectHas = (html: string, needle: string) => expect(html.includes(needle), `page should contain ${needle}`).toBe(true);
const expectLacks = (html: string, needle: string) => expect(html.includes(needle), `page should not contain ${needle}`).toBe(false);
const expectMatch = (html: string, re: RegExp) => expect(re.test(html), `page should match ${re}`).toBe(true);
const expectNoMatch = (html: string, re: RegExp) => expect(re.exec(html)?.[0], `page should not match ${re}`).toBeUndefined();

/** The JSON the page script reads. */
function labData(html: string): ReportData {
  const match = /<script type="application\/json" id="lab-data">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as ReportData;
}

/** `<script` openings outside the inlined Chart.js and page bundle. */
function scriptTags(html: string): number {
  const { chartJs, pageJs } = loadPageAssetsSync();
  return html.replace(chartJs, '').replace(pageJs, '').match(/<script/gi)?.length ?? 0;
}

describe('renderReport', () => {
  it('is one self-contained page: no external URLs, Chart.js, the page script and the data inlined', () => {
    const { results, samples } = syntheticRun({ seconds: 20 });
    const html = renderReport(results, { samples });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expectNoMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:|\/\/)/i);
    expectNoMatch(html, /sourceMappingURL/);
    expectHas(html, 'Chart.js v4');
    expect(scriptTags(html)).toBe(3);
    const data = labData(html);
    expect(data.paths.map((p) => p.id)).toEqual(DEFAULT_PATHS.map((p) => p.id));
    expect(data.paths.every((p) => p.distributionSource === 'samples')).toBe(true);
    expect(data.segments?.points).toHaveLength(2);
  });

  it('renders user strings as text: a <script> scenario name, description, path id or error cannot inject markup', () => {
    const { results } = syntheticRun({ seconds: 5, description: `desc ${EVIL}`, status: 'failed', error: `ffmpeg died\n${EVIL}` });
    const evil = structuredClone(results) as Results;
    evil.scenario.name = EVIL;
    evil.paths[0]!.id = `hls-${EVIL}`;
    evil.paths[2]!.viewers[0]!.error = `<img src=x onerror="window.__pwned=2">`;
    evil.environment.cpus.model = `"><svg onload=alert(1)>`;
    const html = renderReport(evil);
    expectLacks(html, EVIL);
    expectLacks(html, '<img src=x');
    expectLacks(html, '<svg onload');
    expectHas(html, '&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(scriptTags(html)).toBe(3);
    expect(labData(html).scenario).toBe(EVIL);
    expect(labData(html).paths[0]!.id).toBe(`hls-${EVIL}`);
  });

  it('shows interrupted and failed runs loudly, with results.error', () => {
    const { results } = syntheticRun({ seconds: 5, status: 'interrupted', error: 'interrupted by SIGINT' });
    const html = renderReport(results);
    expectHas(html, 'data-status="interrupted"');
    expectMatch(html, /class="banner banner-interrupted" role="alert"/);
    expectHas(html, 'interrupted by SIGINT');
    const failed = renderReport(syntheticRun({ seconds: 5, status: 'failed', error: 'chromium died: exit 1' }).results);
    expectMatch(failed, /class="banner banner-failed" role="alert"/);
    expectHas(failed, 'chromium died: exit 1');
  });

  it('falls back to an approximate distribution without samples, and says so', () => {
    const html = renderReport(syntheticRun({ seconds: 10 }).results);
    expect(labData(html).paths.every((p) => p.distributionSource === 'timeline' && p.cdf && p.histogram)).toBe(true);
    expectHas(html, 'Approximate: samples.csv was not available');
  });

  it('copes with a run that measured nothing', () => {
    const { results } = syntheticRun({ seconds: 2, status: 'failed', error: 'no first frame' });
    const empty = structuredClone(results) as Results;
    for (const path of empty.paths) {
      path.latencyMs = null;
      path.framesMeasured = 0;
      for (const v of path.viewers) Object.assign(v, { latencyMs: null, timeline: [], firstFrameMs: null, webrtcStats: undefined });
    }
    empty.source = null;
    const html = renderReport(empty);
    expectHas(html, 'Run FAILED');
    expectLacks(html, 'data-chart="timeline"');
    expect(labData(html).paths.every((p) => p.cdf === null)).toBe(true);
  });

  it('lists network conditions under the latency-over-time chart, and gives the page the scheduled changes', () => {
    const html = renderReport(syntheticRun({ seconds: 10, network: true }).results);
    const card = /<section class="card" id="chart-timeline">.*?<\/section>/s.exec(html)?.[0] ?? '';
    expect(card.indexOf('data-chart="timeline"')).toBeGreaterThan(0);
    expect(card.indexOf('<table class="network-changes">')).toBeGreaterThan(card.indexOf('data-chart="timeline"'));
    expect(card).toContain('Dashed lines: scheduled changes');
    expect(card).toContain('down 3 % loss in bursts of 2');
    expect(labData(html).networkChanges.map((m) => m.label)).toEqual([
      'hls-1s: up 270±50 ms', 'hls-1s: down 3 % loss', 'webrtc-h264: up 270±50 ms', 'webrtc-h264: down 3 % loss',
    ]);
    const plain = renderReport(syntheticRun({ seconds: 10 }).results);
    expectLacks(plain, 'class="network-changes"');
    expectLacks(plain, 'Dashed lines');
    expect(labData(plain).networkChanges).toEqual([]);
  });

  it('keeps a 1-hour, 4-path run (with per-frame samples) well under 5 MB', () => {
    const { results, samples } = syntheticRun({ seconds: 3600, paths: DEFAULT_PATHS });
    expect(results.paths.reduce((n, p) => n + p.framesMeasured, 0)).toBe(6 * 3600 * 30);
    const resultsBytes = JSON.stringify(results).length;
    const withSamples = renderReport(results, { samples });
    const withoutSamples = renderReport(results);
    console.info(`1-hour 4-path run: results.json ${(resultsBytes / 1e6).toFixed(2)} MB → report ${(withSamples.length / 1e6).toFixed(2)} MB (${(withoutSamples.length / 1e6).toFixed(2)} MB without samples)`);
    expect(Buffer.byteLength(withSamples)).toBeLessThan(5 * 1024 * 1024);
    expect(Buffer.byteLength(withoutSamples)).toBeLessThan(5 * 1024 * 1024);
    const data = labData(withSamples);
    for (const path of data.paths) {
      expect(path.timeline.t.length).toBeLessThanOrEqual(600);
      for (const v of path.viewers) expect(v.series.t.length).toBeLessThanOrEqual(600);
      for (const w of path.webrtc) expect(w.t.length).toBeLessThanOrEqual(600);
    }
    // The table keeps the exact statistics.
    expectHas(withSamples, `data-value="${results.paths[0]!.latencyMs!.p99}"`);
  }, 60_000);
});
