import { UsageError } from '../../core/errors.ts';
import type { Results } from '../results/types.ts';
import type { ComponentUsage } from './process-sampler.ts';

/**
 * The load ladder (issue 18): one glass viewer (Chromium, timed) on one path while N load viewers (harness/load,
 * no browser) watch the same path, one run per rung, N rising; the ladder stops at the first rung the validity
 * verdict calls degraded (or whose run did not complete) and records why. Pure logic and rendering here; the
 * runs themselves are in ladder-command.ts.
 */

export type LadderKind = 'webrtc' | 'hls';

export interface LadderRung {
  loadViewers: number;
  /** The glass viewer's frame latency (ms) and frame rate; null when it measured nothing. */
  glassP50Ms: number | null;
  glassP95Ms: number | null;
  glassFps: number | null;
  /** The lab's own process (relay, origin, signaling, harness), % of one core over the run. */
  serverCpuPercent: number | null;
  /** The load workers' CPU (% of one core over their life), null without load viewers. */
  workersCpuPercent: number | null;
  connected: number | null;
  receiving: number | null;
  verdict: 'valid' | 'degraded' | null;
  /** The verdict's reason codes and, for a run that did not complete, its error. */
  reasons: string[];
  error?: string;
  /** Load average (1 min) when the rung started: the machine's state, for reading the figures. */
  loadAverage: number;
}

export interface Ladder {
  kind: LadderKind;
  bitrateKbps: number;
  rungs: LadderRung[];
  /** The rung the ladder stopped at (degraded or failed) and why; null when every rung ran valid. */
  stoppedAt: { loadViewers: number; reason: string } | null;
  /** Rungs not run because the ladder stopped first. */
  skipped: number[];
}

/** `--ladder 0,10,50,100`: load viewers per rung, whole numbers 0–1000, strictly rising. */
export function parseLadder(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const rungs = parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) > 1000) throw new UsageError(`--ladder: "${p}" is not a number of load viewers; allowed: whole numbers 0–1000, comma-separated and rising (e.g. 0,10,50,100,200,500)`);
    return Number(p);
  });
  rungs.forEach((n, i) => {
    if (i > 0 && n <= rungs[i - 1]!) throw new UsageError(`--ladder: ${n} after ${rungs[i - 1]}: the rungs must rise (e.g. 0,10,50,100,200,500)`);
  });
  return rungs;
}

/** A rung's scenario: 640x360 @ 30 fps at `bitrateKbps`, one path of `kind` with one glass viewer and N load viewers. */
export function rungScenario(kind: LadderKind, loadViewers: number, bitrateKbps: number, duration: number): Record<string, unknown> {
  const path = kind === 'webrtc' ? { kind: 'webrtc', id: 'webrtc', codec: 'h264' } : { kind: 'hls', id: 'hls', segmentDuration: 1 };
  return {
    name: `ladder-${kind}-${loadViewers}`,
    duration,
    warmup: 2,
    video: { width: 640, height: 360, fps: 30, bitrateKbps },
    join: 'steady',
    viewers: 1,
    paths: [{ ...path, ...(loadViewers > 0 ? { loadViewers } : {}) }],
  };
}

const round1 = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);

/** One rung's figures from its results (and the lab process's CPU sampled over the run). */
export function ladderRung(loadViewers: number, results: Results, cpu: Record<string, ComponentUsage>, loadAverage: number): LadderRung {
  const path = results.paths[0];
  const glass = path?.viewers[0];
  const load = path?.loadViewers;
  return {
    loadViewers,
    glassP50Ms: round1(path?.latencyMs?.p50),
    glassP95Ms: round1(path?.latencyMs?.p95),
    glassFps: round1(glass?.fps),
    serverCpuPercent: cpu['lab (node)']?.cpuPercent ?? null,
    workersCpuPercent: load ? load.workersCpuPercent : null,
    connected: load ? load.connected : null,
    receiving: load ? load.receiving : null,
    verdict: results.validity?.verdict ?? null,
    reasons: [...new Set(results.validity?.reasons.map((r) => r.code) ?? [])],
    ...(results.status !== 'complete' ? { error: `run ${results.status}${results.error ? `: ${results.error.split('\n')[0]}` : ''}` } : {}),
    loadAverage: Math.round(loadAverage * 100) / 100,
  };
}

/** Why the ladder stops at this rung (degraded verdict or a run that did not complete), undefined when it goes on. */
export function stopReason(rung: LadderRung): string | undefined {
  if (rung.error) return rung.error;
  if (rung.verdict === 'degraded') return `degraded (${rung.reasons.join(', ') || 'no reason given'})`;
  if (rung.verdict === null) return 'no validity verdict';
  return undefined;
}

/** Runs the rungs in order through `runRung`, stopping after the first that gives a stop reason. */
export async function climbLadder(kind: LadderKind, bitrateKbps: number, rungs: readonly number[], runRung: (n: number) => Promise<LadderRung>): Promise<Ladder> {
  const done: LadderRung[] = [];
  for (const n of rungs) {
    const rung = await runRung(n);
    done.push(rung);
    const reason = stopReason(rung);
    if (reason) return { kind, bitrateKbps, rungs: done, stoppedAt: { loadViewers: n, reason }, skipped: rungs.filter((r) => r > n) };
  }
  return { kind, bitrateKbps, rungs: done, stoppedAt: null, skipped: [] };
}

const cell = (v: number | null, unit = '') => (v === null ? '—' : `${v}${unit}`);

/** ladder.md: the table, where it stopped, and the chart beside it. */
export function ladderMarkdown(ladder: Ladder): string {
  const rows = ladder.rungs.map((r) => `| ${r.loadViewers} | ${cell(r.glassP50Ms, ' ms')} | ${cell(r.glassP95Ms, ' ms')} | ${cell(r.glassFps)} | ${r.connected === null ? '—' : `${r.connected} / ${r.receiving}`} | ${cell(r.serverCpuPercent, ' %')} | ${cell(r.workersCpuPercent, ' %')} | ${stopReason(r) ?? r.verdict} | ${r.loadAverage} |`);
  const stopped = ladder.stoppedAt ? `Stopped at ${ladder.stoppedAt.loadViewers} load viewers: ${ladder.stoppedAt.reason}${ladder.skipped.length ? ` (not run: ${ladder.skipped.join(', ')})` : ''}.` : 'Every rung ran valid.';
  return [
    `## Load ladder: ${ladder.kind}, ${ladder.bitrateKbps} kb/s, one glass viewer`,
    '',
    stopped,
    '',
    '| load viewers | glass p50 | glass p95 | glass fps | load connected / receiving | server CPU | workers CPU | verdict | load avg (1 min) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...rows,
    '',
    '![glass latency and server CPU per rung](ladder.svg)',
    '',
  ].join('\n');
}

/** ladder.svg: glass p50 and p95 (ms, left axis) and server CPU (% of one core, right axis) against load viewers. */
export function ladderSvg(ladder: Ladder): string {
  const W = 640, H = 320, L = 60, R = 60, T = 30, B = 40;
  const rungs = ladder.rungs;
  const xs = rungs.map((_, i) => L + (rungs.length > 1 ? (i * (W - L - R)) / (rungs.length - 1) : (W - L - R) / 2));
  const maxMs = Math.max(1, ...rungs.flatMap((r) => [r.glassP95Ms ?? 0, r.glassP50Ms ?? 0])) * 1.1;
  const maxCpu = Math.max(100, ...rungs.map((r) => r.serverCpuPercent ?? 0)) * 1.1;
  const y = (v: number, max: number) => T + (H - T - B) * (1 - v / max);
  const line = (values: Array<number | null>, max: number, colour: string, dash = '') => {
    const pts = values.flatMap((v, i) => (v === null ? [] : [`${xs[i]!.toFixed(1)},${y(v, max).toFixed(1)}`]));
    return pts.length ? `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.join(' ')}"/>` : '';
  };
  const ticks = rungs.map((r, i) => `<text x="${xs[i]!.toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${r.loadViewers}${stopReason(r) ? '*' : ''}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="16">glass p50 (blue) / p95 (dashed) in ms, left; server CPU (orange) in % of one core, right; * stopped</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/>`,
    `<text x="${L - 6}" y="${T + 4}" text-anchor="end">${Math.round(maxMs)}</text><text x="${L - 6}" y="${H - B}" text-anchor="end">0</text>`,
    `<text x="${W - R + 6}" y="${T + 4}">${Math.round(maxCpu)} %</text><text x="${W - R + 6}" y="${H - B}">0 %</text>`,
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle">load viewers</text>`,
    ...ticks,
    line(rungs.map((r) => r.glassP50Ms), maxMs, '#1f5fbf'),
    line(rungs.map((r) => r.glassP95Ms), maxMs, '#1f5fbf', '4 3'),
    line(rungs.map((r) => r.serverCpuPercent), maxCpu, '#e07b00'),
    '</svg>',
    '',
  ].join('\n');
}
