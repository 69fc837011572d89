import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { timelineChart } from '../../reports/page/chart-configs.ts';
import { buildReportData } from '../../reports/report-data.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

/** Audio latency on the latency-over-time chart (issue 19): a dashed series per path that timed audio. */
describe('audio on the latency chart', () => {
  const { results } = syntheticRun({ seconds: 20 });
  const bins = (audioMs: number[]) => audioMs.map((a, i) => ({ t: 5 + i, audioMs: a, videoMs: 100, syncMs: a - 100 }));
  const withAudio: Results = {
    ...results,
    paths: results.paths.map((p, index) =>
      index === 1
        ? { ...p, viewers: p.viewers.map((v, i) => ({ ...v, audio: { marksExpected: 30, marksDecoded: 30, marksUndecodable: 0, marksOffTrack: 0, marksWithheld: 0, context: null, avSyncTimeline: bins(i === 0 ? [150, 160, 170] : [170, 180]) } })) }
        : p,
    ),
  };

  it('takes the viewers\' median audio latency per bin, only on paths with audio', () => {
    const data = buildReportData(withAudio);
    expect(withAudio.paths[1]!.viewers.length).toBe(2);
    expect(data.paths[1]!.audio).toEqual({ t: [5, 6, 7], p50: [160, 170, 170] });
    expect(data.paths.filter((_, i) => i !== 1).every((p) => p.audio === null)).toBe(true);
    expect(buildReportData(results).paths.every((p) => p.audio === null)).toBe(true);
  });

  it('draws it dashed in the path\'s colour, with a legend entry of its own', () => {
    const data = buildReportData(withAudio);
    const datasets = (timelineChart(data, false).config as unknown as { data: { datasets: { label: string; borderDash?: number[]; borderColor: string; data: { x: number; y: number }[] }[] } }).data.datasets;
    const audio = datasets.filter((d) => d.label.endsWith(' audio'));
    expect(audio.map((d) => d.label)).toEqual([`${data.paths[1]!.id} audio`]);
    expect(audio[0]!.borderDash).toEqual([6, 4]);
    expect(audio[0]!.borderColor).toBe(data.paths[1]!.colour);
    expect(audio[0]!.data.map((p) => p.x)).toEqual([5, 6, 7]);
    expect(datasets.filter((d) => d.borderDash).length).toBe(1);
  });
});
