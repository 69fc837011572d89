import { expect } from 'vitest';
import { HTTP_JOIN_PHASES, isHttpJoin, type HttpJoinSummary, type ViewerResult } from '../../harness/results/types.ts';

/** Two page-clock mappings (the recorder's and the probe's) may differ by a whole ms (Date.now() floors). */
const CLOCK_SLACK_MS = 1;

/**
 * An HTTP viewer's join in a real run's results.json: its protocol, player and source; `ordered` steps all reached,
 * each no earlier than the one before (± the clock slack); every phase measured, none negative; the phases adding
 * up to firstFrameMs within 1 ms (firstFrameMs is rounded to whole ms, the phases to 0.1 ms). Returns the join.
 */
export function expectHttpJoin(
  viewer: ViewerResult,
  expected: Pick<HttpJoinSummary, 'protocol' | 'player' | 'source'>,
  ordered: Array<keyof HttpJoinSummary['atMs']>,
): HttpJoinSummary {
  const join = viewer.join;
  expect(join, 'the viewer has a join timeline').toBeDefined();
  expect(isHttpJoin(join!), 'an HTTP join').toBe(true);
  const http = join as HttpJoinSummary;
  expect({ protocol: http.protocol, player: http.player, source: http.source }).toEqual(expected);
  expect(http.connection.state).toBe('playing');
  for (let i = 1; i < ordered.length; i++) {
    const before = http.atMs[ordered[i - 1]!];
    const after = http.atMs[ordered[i]!];
    expect(before, `${ordered[i - 1]} reached`).toBeDefined();
    expect(after, `${ordered[i]} reached`).toBeDefined();
    expect(after! + CLOCK_SLACK_MS, `${ordered[i - 1]} (${before}) ≤ ${ordered[i]} (${after}) in ${JSON.stringify(http.atMs)}`).toBeGreaterThanOrEqual(before!);
  }
  const phases = HTTP_JOIN_PHASES.map((p) => http.phasesMs[p]);
  expect(phases.every((p) => p === null || p >= 0), JSON.stringify(http.phasesMs)).toBe(true);
  const sum = phases.reduce<number>((a, b) => a + (b ?? 0), 0);
  expect(Math.abs(sum - viewer.firstFrameMs!), `phases ${JSON.stringify(http.phasesMs)} vs first frame ${viewer.firstFrameMs} (steps ${JSON.stringify(http.atMs)})`).toBeLessThanOrEqual(1);
  return http;
}
