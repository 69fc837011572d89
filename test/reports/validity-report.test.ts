import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { buildReportData } from '../../reports/report-data.ts';
import { renderReport } from '../../reports/render-report.ts';
import { validityBannerHtml } from '../../reports/validity-banner.ts';
import { validityDefaults } from '../../harness/validity/limits.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

/** The report shows the validity verdict (a banner for a degraded run) and marks freezes on the timeline. */

function degraded(results: Results): Results {
  const webrtc = results.paths.find((p) => p.kind === 'webrtc')!;
  const viewers = webrtc.viewers.map((v, i) => (i === 0 ? { ...v, freezes: { count: 1, totalMs: 2040, events: [{ t: 9.5, ms: 2040 }] } } : v));
  return {
    ...results,
    paths: results.paths.map((p) => (p === webrtc ? { ...p, viewers } : p)),
    validity: {
      verdict: 'degraded',
      reasons: [
        { code: 'cpu-busy', message: 'the host CPU was 99 % busy <b>over</b> the window', value: 99, limit: 95 },
        { code: 'freezes', message: `${webrtc.id} viewer 0 froze 1 time, 2 s in all`, pathId: webrtc.id, viewerId: 0, value: 1, limit: 0 },
      ],
      limits: { ...validityDefaults },
      measured: { windowSeconds: 20, cpuBusyPct: 99, sourceLatePct: 0, backpressuredPct: 0, encoderLagMsMax: 2100, loadAverage: { atStart: 4.61, windowEnd: 9.2 } },
    },
  };
}

describe('the validity verdict in the report', () => {
  it('opens a degraded run with a banner listing every reason (escaped)', () => {
    const results = degraded(syntheticRun({ seconds: 20 }).results);
    const banner = validityBannerHtml(results);
    expect(banner).toMatch(/^<div class="banner banner-degraded" role="alert" data-verdict="degraded"><strong>DEGRADED RUN<\/strong>/);
    expect(banner).toContain('<li data-code="cpu-busy"><code>cpu-busy</code> the host CPU was 99 % busy &lt;b&gt;over&lt;/b&gt; the window</li>');
    expect(banner).toContain('data-code="freezes"');
    expect(renderReport(results)).toContain(banner);
    // The load it ran under, with the environment.
    expect(renderReport(results)).toContain('4.61 when the run started, 9.2 at the end of the measurement window');
  });

  it('shows nothing for a valid run or results from before the verdict', () => {
    const { results } = syntheticRun({ seconds: 20 });
    expect(validityBannerHtml(results)).toBe('');
    expect(validityBannerHtml({ ...degraded(results), validity: { ...degraded(results).validity!, verdict: 'valid', reasons: [] } })).toBe('');
    expect(renderReport(results)).not.toContain('data-verdict="degraded"');
  });

  it('hands every freeze to the timeline chart, in its path, and says so under the chart', () => {
    const results = degraded(syntheticRun({ seconds: 20 }).results);
    const index = results.paths.findIndex((p) => p.kind === 'webrtc');
    expect(buildReportData(results).freezes).toEqual([{ pathIndex: index, viewer: 0, t: 9.5, ms: 2040 }]);
    expect(renderReport(results)).toContain('Shaded spans with a bar on the time axis: viewer freezes (1;');
    expect(buildReportData(syntheticRun({ seconds: 20 }).results).freezes).toEqual([]);
  });
});
