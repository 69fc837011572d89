import type { RawWebrtcStats } from '../../players/contract.ts';
import type { WebrtcStatsSample, WebrtcStatsSummary } from '../results/types.ts';

const round = (v: number | null, digits = 2) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** Per-interval series and window totals from cumulative getStats() readings. */
export function summarizeWebrtcStats(raw: RawWebrtcStats[], from: number | null, to: number | null, runStartMs: number): WebrtcStatsSummary {
  const inWindow = raw.filter((s) => from !== null && to !== null && s.wallMs >= from - 1000 && s.wallMs <= to + 1000);
  const series: WebrtcStatsSample[] = [];
  for (let i = 1; i < raw.length; i++) {
    const a = raw[i - 1]!;
    const b = raw[i]!;
    const emitted = (b.jitterBufferEmittedCount ?? 0) - (a.jitterBufferEmittedCount ?? 0);
    const delay = (b.jitterBufferDelay ?? 0) - (a.jitterBufferDelay ?? 0);
    series.push({
      t: Math.round((b.wallMs - runStartMs) / 100) / 10,
      jitterBufferDelayMs: emitted > 0 ? round((delay / emitted) * 1000) : null,
      packetsReceived: b.packetsReceived - a.packetsReceived,
      packetsLost: b.packetsLost - a.packetsLost,
      nackCount: b.nackCount - a.nackCount,
      pliCount: b.pliCount - a.pliCount,
      firCount: b.firCount - a.firCount,
      framesDecoded: b.framesDecoded - a.framesDecoded,
      framesDropped: b.framesDropped - a.framesDropped,
      freezeCount: b.freezeCount - a.freezeCount,
      jitterMs: b.jitter === null ? null : round(b.jitter * 1000),
      rttMs: b.rttSeconds === null ? null : round(b.rttSeconds * 1000),
    });
  }
  const first = inWindow[0];
  const last = inWindow[inWindow.length - 1] ?? raw[raw.length - 1];
  const diff = (key: 'packetsReceived' | 'packetsLost' | 'nackCount' | 'pliCount' | 'firCount' | 'freezeCount') =>
    last ? last[key] - (first && first !== last ? first[key] : 0) : 0;
  const emitted = last && first ? (last.jitterBufferEmittedCount ?? 0) - (first.jitterBufferEmittedCount ?? 0) : 0;
  const delay = last && first ? (last.jitterBufferDelay ?? 0) - (first.jitterBufferDelay ?? 0) : 0;
  return {
    packetsReceived: diff('packetsReceived'),
    packetsLost: diff('packetsLost'),
    nackCount: diff('nackCount'),
    pliCount: diff('pliCount'),
    firCount: diff('firCount'),
    freezeCount: diff('freezeCount'),
    jitterBufferDelayMs: emitted > 0 ? round((delay / emitted) * 1000) : null,
    rttMs: last?.rttSeconds == null ? null : round(last.rttSeconds * 1000),
    candidatePair: last?.localCandidateType
      ? { local: last.localCandidateType, remote: last.remoteCandidateType ?? 'unknown', protocol: last.protocol ?? 'unknown' }
      : null,
    codec: last?.codec ?? null,
    series,
  };
}
