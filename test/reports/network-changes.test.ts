import { describe, expect, it } from 'vitest';
import type { NetworkChange, NetworkCondition } from '../../harness/results/types.ts';
import { describeNetworkChange, describeNetworkCondition, networkChangesHtml, networkMarkers } from '../../reports/network-changes.ts';
import { buildReportData } from '../../reports/report-data.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

const LINK: NetworkCondition = {
  delayMs: 20, jitterMs: 0, jitterDistribution: 'normal', lossPercent: 0, lossBurst: 1, reorderPercent: 0, rateKbps: 0, queueMs: 200,
};

function change(at: number | null, downlink: Partial<NetworkCondition> = {}, uplink: Partial<NetworkCondition> = {}): NetworkChange {
  return { at, t: (at ?? 0) + 8.4, wallMs: 0, downlink: { ...LINK, ...downlink }, uplink: { ...LINK, ...uplink } };
}

const BASE = change(null);

describe('describeNetworkChange', () => {
  it('names only what changed, with the new values, per direction', () => {
    expect(describeNetworkChange(BASE, change(10, {}, { delayMs: 270, jitterMs: 50 }))).toBe('up 270±50 ms');
    expect(describeNetworkChange(BASE, change(20, { lossPercent: 3, lossBurst: 2 }))).toBe('down 3 % loss');
    expect(describeNetworkChange(change(10, {}, { delayMs: 270, jitterMs: 50 }), change(30))).toBe('up 20 ms');
    expect(describeNetworkChange(change(10, { lossPercent: 3 }), change(30))).toBe('down no loss');
    expect(describeNetworkChange(BASE, change(5, { rateKbps: 400 }, { rateKbps: 2500 }))).toBe('down 400 kb/s; up 2.5 Mb/s');
    expect(describeNetworkChange(change(5, { rateKbps: 400 }), change(9))).toBe('down unlimited rate');
  });

  it('says "both" when the two directions changed alike, and lists several fields in one direction', () => {
    expect(describeNetworkChange(BASE, change(10, { delayMs: 30, jitterMs: 30 }, { delayMs: 30, jitterMs: 30 }))).toBe('both 30±30 ms');
    expect(describeNetworkChange(BASE, change(10, { delayMs: 100, lossPercent: 2.5, rateKbps: 800 }, { delayMs: 50 }))).toBe(
      'down 100 ms, 2.5 % loss, 800 kb/s; up 50 ms',
    );
  });

  it('keeps the label short, and gives the secondary fields in detail', () => {
    const lossy = change(20, { lossPercent: 3, lossBurst: 2, jitterMs: 10, jitterDistribution: 'pareto' });
    expect(describeNetworkChange(BASE, lossy)).toBe('down 20±10 ms, 3 % loss');
    expect(describeNetworkChange(BASE, lossy, true)).toBe('down 20±10 ms pareto, 3 % loss in bursts of 2');
    expect(describeNetworkChange(BASE, change(5, { rateKbps: 400, queueMs: 100 }), true)).toBe('down 400 kb/s (queue 100 ms)');
  });

  it('names a change of secondary fields only rather than saying nothing, and a step that changed nothing', () => {
    expect(describeNetworkChange(BASE, change(5, { reorderPercent: 1 }))).toBe('down 1 % reordered');
    expect(describeNetworkChange(change(5, { lossPercent: 2 }), change(9, { lossPercent: 2, lossBurst: 4 }))).toBe('down 2 % loss in bursts of 4');
    expect(describeNetworkChange(BASE, change(5))).toBe('no change');
  });
});

describe('describeNetworkCondition', () => {
  it('describes a whole base condition', () => {
    expect(describeNetworkCondition(BASE)).toBe('both 20 ms');
    expect(describeNetworkCondition(change(null, { delayMs: 0 }, { delayMs: 0 }))).toBe('unimpaired');
    expect(describeNetworkCondition(change(null, { delayMs: 150, jitterMs: 10, rateKbps: 400 }, { delayMs: 150, jitterMs: 10, rateKbps: 400 }))).toBe(
      'both 150±10 ms, 400 kb/s (queue 200 ms)',
    );
    expect(describeNetworkCondition(change(null, { delayMs: 100, lossPercent: 2, lossBurst: 3 }, { delayMs: 0 }))).toBe('down 100 ms, 2 % loss in bursts of 3');
  });
});

describe('network markers in the report data', () => {
  it('are the scheduled changes of each path (not the base conditions), at their t, labelled "path: what changed"', () => {
    const { results } = syntheticRun({ seconds: 10, network: true });
    const data = buildReportData(results);
    expect(data.networkChanges).toEqual([
      { pathIndex: 1, t: 18.4, label: 'hls-1s: up 270±50 ms' },
      { pathIndex: 1, t: 28.4, label: 'hls-1s: down 3 % loss' },
      { pathIndex: 2, t: 18.4, label: 'webrtc-h264: up 270±50 ms' },
      { pathIndex: 2, t: 28.4, label: 'webrtc-h264: down 3 % loss' },
    ]);
    // The t of each marker is the one results.json recorded (the timeline's axis).
    const recorded = results.paths.flatMap((p) => (p.network?.changes ?? []).filter((c) => c.at !== null).map((c) => c.t));
    expect(data.networkChanges.map((m) => m.t)).toEqual(recorded);
    expect(networkMarkers(results)).toEqual(data.networkChanges);
  });

  it('are empty for a run without impairment', () => {
    const { results } = syntheticRun({ seconds: 5 });
    expect(buildReportData(results).networkChanges).toEqual([]);
    expect(networkChangesHtml(results)).toBe('');
  });
});

describe('networkChangesHtml', () => {
  it('lists base conditions and changes per path, with t and what changed in detail', () => {
    const html = networkChangesHtml(syntheticRun({ seconds: 5, network: true }).results);
    const rows = [...html.matchAll(/<tr data-path="([^"]+)"[^>]*>(.*?)<\/tr>/g)].map((m) => [m[1], m[2]!.replace(/<[^>]+>/g, '|').replace(/\|+/g, '|')]);
    expect(rows).toEqual([
      ['hls-1s', '|hls-1s|0.50|before the viewers joined|base: both 20 ms|'],
      ['hls-1s', '|hls-1s|18.40|10 s after the viewers joined|up 270±50 ms|'],
      ['hls-1s', '|hls-1s|28.40|20 s after the viewers joined|down 3 % loss in bursts of 2|'],
      ['webrtc-h264', '|webrtc-h264|0.50|before the viewers joined|base: both 20 ms|'],
      ['webrtc-h264', '|webrtc-h264|18.40|10 s after the viewers joined|up 270±50 ms|'],
      ['webrtc-h264', '|webrtc-h264|28.40|20 s after the viewers joined|down 3 % loss in bursts of 2|'],
      ['webrtc-vp8', '|webrtc-vp8|0.50|before the viewers joined|base: both 20 ms|'],
    ]);
  });

  it('escapes path ids', () => {
    const { results } = syntheticRun({ seconds: 5, network: true });
    results.paths[1]!.id = '<img src=x onerror=alert(1)>';
    const html = networkChangesHtml(results);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(buildReportData(results).networkChanges[0]!.label).toBe('<img src=x onerror=alert(1)>: up 270±50 ms');
  });
});
