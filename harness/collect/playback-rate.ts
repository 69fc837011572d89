import type { PlaybackRateSummary } from '../results/types.ts';

/**
 * Summarizes a viewer's playback rate over its measurement window from [wallMs, rate] change events (the rate at
 * start, then every ratechange): the fastest rate, and how long playback ran faster than real time (catch-up).
 */
export function summarizePlaybackRate(events: readonly number[], from: number | null, to: number | null): PlaybackRateSummary | null {
  if (from === null || to === null || events.length < 2) return null;
  let rate = 1;
  let max = 1;
  let catchUpMs = 0;
  let changes = 0;
  let at = from;
  for (let i = 0; i + 1 < events.length; i += 2) {
    const wall = events[i]!;
    const next = events[i + 1]!;
    if (wall <= from) {
      rate = next;
      continue;
    }
    if (wall >= to) break;
    if (rate > 1) catchUpMs += wall - at;
    max = Math.max(max, rate);
    if (next !== rate) changes++;
    rate = next;
    at = wall;
  }
  if (rate > 1) catchUpMs += to - at;
  max = Math.max(max, rate);
  return { max, catchUpMs: Math.round(catchUpMs), changes };
}
