import type { Results } from '../harness/results/types.ts';

function fmt(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** The end-of-run table: per path p50, p95, p99, min…max, frames, and how much slower than the fastest path. */
export function summaryTable(results: Results): string {
  const measured = results.paths.filter((p) => p.latencyMs);
  const fastest = measured.reduce<(typeof measured)[number] | undefined>((best, p) => (!best || p.latencyMs!.p50 < best.latencyMs!.p50 ? p : best), undefined);
  const header = ['path', 'p50', 'p95', 'p99', 'min…max', 'frames', 'undecodable', 'vs fastest'];
  const rows = results.paths.map((p) => {
    const l = p.latencyMs;
    const vs = !l || !fastest ? '—' : p === fastest ? 'fastest' : `${(l.p50 / fastest.latencyMs!.p50).toFixed(1)}× slower than ${fastest.id}`;
    return [p.id, fmt(l?.p50), fmt(l?.p95), fmt(l?.p99), l ? `${fmt(l.min)}…${fmt(l.max)}` : '—', String(p.framesMeasured), String(p.framesUndecodable), vs];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}
