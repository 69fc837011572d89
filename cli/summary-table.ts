import type { Results } from '../harness/results/types.ts';

function fmt(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/**
 * The end-of-run table: per path its server and protocols in → out, p50, p95, p99, min…max, frames, and how much
 * slower than the fastest path.
 */
export function summaryTable(results: Results): string {
  const measured = results.paths.filter((p) => p.latencyMs);
  const fastest = measured.reduce<(typeof measured)[number] | undefined>((best, p) => (!best || p.latencyMs!.p50 < best.latencyMs!.p50 ? p : best), undefined);
  const header = ['path', 'server: in → out', 'p50', 'p95', 'p99', 'min…max', 'frames', 'undecodable', 'vs fastest'];
  const rows = results.paths.map((p) => {
    const l = p.latencyMs;
    const vs = !l || !fastest ? '—' : p === fastest ? 'fastest' : `${(l.p50 / fastest.latencyMs!.p50).toFixed(1)}× slower than ${fastest.id}`;
    const via = p.delivery ? `${p.delivery.server}: ${p.delivery.protocolIn} → ${p.delivery.protocolOut}` : '—';
    return [p.id, via, fmt(l?.p50), fmt(l?.p95), fmt(l?.p99), l ? `${fmt(l.min)}…${fmt(l.max)}` : '—', String(p.framesMeasured), String(p.framesUndecodable), vs];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The validity verdict for the console: one loud line per reason when the run is degraded (its figures are
 * suspect), or one quiet line with the run-wide figures when it is valid. Empty for results written before it.
 */
export function validityLines(results: Results): string[] {
  const validity = results.validity;
  if (!validity) return [];
  const m = validity.measured;
  const figures = [
    m.cpuBusyPct !== null ? `CPU ${m.cpuBusyPct} % busy` : null,
    m.backpressuredPct !== null ? `${m.backpressuredPct} % of frames backpressured` : null,
    m.encoderLagMsMax !== null ? `encoder ≤ ${m.encoderLagMsMax} ms behind` : null,
    m.labStallMsMax != null ? `lab stalled ≤ ${m.labStallMsMax} ms` : null,
  ].filter(Boolean);
  const load = m.loadAverage ? `load average ${m.loadAverage.atStart} at the start, ${m.loadAverage.windowEnd} at the end` : null;
  if (validity.verdict === 'valid') return [`validity: valid${figures.length ? ` (${figures.join(', ')} over the measurement window${load ? `; ${load}` : ''})` : ''}`];
  return [
    `!! DEGRADED RUN: ${validity.reasons.length} reason${validity.reasons.length === 1 ? '' : 's'} not to trust these figures as measured${load ? ` (${load})` : ''}:`,
    ...validity.reasons.map((r) => `!! DEGRADED [${r.code}] ${r.message}`),
  ];
}

/**
 * The audio under the table (audio is on by default): per path that carried it, mouth-to-ear p50 and A/V sync p50
 * (positive: sound late) with the marks decoded; per path left silent by default, why. Nothing when no path had any.
 */
export function audioLines(results: Results): string[] {
  const lines: string[] = [];
  for (const p of results.paths) {
    const params = p.params;
    if (params.audioSilent) lines.push(`  ${p.id}: silent — ${params.audioSilent}`);
    if (!params.audio) continue;
    const marks = p.viewers.reduce((n, v) => n + (v.audio?.marksDecoded ?? 0), 0);
    const expected = p.viewers.reduce((n, v) => n + (v.audio?.marksExpected ?? 0), 0);
    const sync = p.avSyncMs ? `, A/V sync ${p.avSyncMs.p50 >= 0 ? '+' : ''}${p.avSyncMs.p50.toFixed(0)} ms` : '';
    lines.push(`  ${p.id}: ${params.audio.codec} p50 ${fmt(p.audioLatencyMs?.p50)}${sync} (${marks}/${expected} marks)`);
  }
  if (!lines.length) return [];
  const webrtc = results.paths.some((p) => p.kind === 'webrtc' && p.params.audio);
  return ['audio (mouth to ear; `audio: false` for video alone):', ...lines, ...(webrtc ? ['  (WebRTC: Chromium holds the video towards its audio for lip sync, so video latency with audio is higher)'] : [])];
}
