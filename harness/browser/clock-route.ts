import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLOCK_HEADER, CLOCK_PATH, CLOCK_RESOLUTION_HEADER } from '../../players/probe/clock-sync.ts';

/** How long one mapping of performance.now() onto Date.now() is reused before it is measured again (ms). */
const REMAP_MS = 1000;
/** Longest spin waiting for Date.now() to tick when mapping (ms): it ticks every ms, so this is never reached. */
const SPIN_LIMIT_MS = 2;

let mapping: { offset: number; at: number; resolution: number } | undefined;

/**
 * The lab's wall clock (the clock that stamps the frames: Date.now()) with performance.now()'s resolution. Date.now()
 * floors to whole ms, so the mapping waits for it to tick: at that instant Date.now() is exact, and
 * `tick value − performance.now()` maps the monotonic clock onto it. Refreshed every second to follow slewing.
 */
export function labWallNow(): { wallMs: number; resolutionMs: number } {
  const now = performance.now();
  if (!mapping || now - mapping.at > REMAP_MS) {
    const start = performance.now();
    const first = Date.now();
    let tick = first;
    let at = start;
    while (tick === first && at - start < SPIN_LIMIT_MS) {
      tick = Date.now();
      at = performance.now();
    }
    // Ticked: exact to the loop's step (µs). Not ticked (never seen): fall back to a whole ms of resolution.
    mapping = tick !== first ? { offset: tick - at, at, resolution: 0.01 } : { offset: first + 0.5 - start, at, resolution: 0.5 };
  }
  return { wallMs: performance.now() + mapping.offset, resolutionMs: mapping.resolution };
}

/** Serves GET /lab/time: `{ wallMs, resolutionMs }`, also as headers (read before the body), the lab's clock for the pages' ClockSync (players/probe/clock-sync.ts). */
export function clockRoute(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  if (pathname !== CLOCK_PATH) return false;
  const now = labWallNow();
  const body = JSON.stringify(now);
  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    [CLOCK_HEADER]: now.wallMs.toFixed(3),
    [CLOCK_RESOLUTION_HEADER]: String(now.resolutionMs),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
