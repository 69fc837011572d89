import type { NetworkChange, NetworkCondition, Results } from '../harness/results/types.ts';
import { escapeHtml as esc } from './html.ts';
import { pathColour } from './report-colours.ts';

/**
 * Network conditions of impaired paths in words: the short "what changed" labels the latency-over-time chart draws
 * at each scheduled change (reports/page/network-markers.ts), and the table of conditions under that chart.
 */

/** A scheduled change (`at !== null`) to mark on the timeline: which path, when (s since the run started), what. */
export interface NetworkMarker {
  pathIndex: number;
  t: number;
  /** "hls-1s: down 3 % loss", "webrtc-h264: up 270±50 ms". */
  label: string;
}

/** 3 → "3", 2.5 → "2.5", 0.125 → "0.13". */
function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** 400 → "400 kb/s", 2000 → "2 Mb/s"; 0 (no bottleneck) → "unlimited rate". */
function rateText(kbps: number): string {
  if (kbps <= 0) return 'unlimited rate';
  return kbps >= 1000 ? `${num(kbps / 1000)} Mb/s` : `${num(kbps)} kb/s`;
}

/** "270±50 ms" (± the jitter, when there is any; its distribution too when asked for and not normal). */
function delayText(c: NetworkCondition, detail: boolean): string {
  if (c.jitterMs <= 0) return `${num(c.delayMs)} ms`;
  const distribution = detail && c.jitterDistribution !== 'normal' ? ` ${c.jitterDistribution}` : '';
  return `${num(c.delayMs)}±${num(c.jitterMs)} ms${distribution}`;
}

function lossText(c: NetworkCondition, detail: boolean): string {
  if (c.lossPercent <= 0) return 'no loss';
  return `${num(c.lossPercent)} % loss${detail && c.lossBurst > 1 ? ` in bursts of ${num(c.lossBurst)}` : ''}`;
}

function rateWithQueue(c: NetworkCondition, detail: boolean): string {
  return `${rateText(c.rateKbps)}${detail && c.rateKbps > 0 ? ` (queue ${num(c.queueMs)} ms)` : ''}`;
}

/**
 * What changed in one direction, new values only: delay and jitter, loss, rate; with `detail`, also the jitter
 * distribution, loss bursts, reordering and the bottleneck's queue.
 */
function directionChange(prev: NetworkCondition, next: NetworkCondition, detail: boolean): string[] {
  const parts: string[] = [];
  const distributionChanged = next.jitterMs > 0 && prev.jitterDistribution !== next.jitterDistribution;
  if (prev.delayMs !== next.delayMs || prev.jitterMs !== next.jitterMs || (detail && distributionChanged)) parts.push(delayText(next, detail));
  if (prev.lossPercent !== next.lossPercent || (detail && next.lossPercent > 0 && prev.lossBurst !== next.lossBurst)) parts.push(lossText(next, detail));
  if (detail && prev.reorderPercent !== next.reorderPercent) parts.push(`${num(next.reorderPercent)} % reordered`);
  if (prev.rateKbps !== next.rateKbps || (detail && next.rateKbps > 0 && prev.queueMs !== next.queueMs)) parts.push(rateWithQueue(next, detail));
  return parts;
}

/** "down …; up …", or "both …" when the two directions read the same. */
function bothWays(down: string, up: string): string {
  if (down && down === up) return `both ${down}`;
  return [down && `down ${down}`, up && `up ${up}`].filter(Boolean).join('; ');
}

/**
 * What a change did to the link compared with the condition before it, e.g. "down 3 % loss", "up 270±50 ms",
 * "both 30 ms". Short (delay, jitter, loss, rate) unless `detail`; when only secondary fields changed, those are
 * named anyway, and a step that changed nothing reads "no change".
 */
export function describeNetworkChange(prev: NetworkChange, next: NetworkChange, detail = false): string {
  const text = (d: boolean) =>
    bothWays(directionChange(prev.downlink, next.downlink, d).join(', '), directionChange(prev.uplink, next.uplink, d).join(', '));
  return text(detail) || (!detail && text(true)) || 'no change';
}

/** A whole condition in words (for a base condition): "both 20 ms", "down 30±30 ms, 2 % loss; up 30±30 ms", "unimpaired". */
export function describeNetworkCondition(change: NetworkChange): string {
  const direction = (c: NetworkCondition) => {
    const parts = [delayText(c, true)];
    if (c.lossPercent > 0) parts.push(lossText(c, true));
    if (c.reorderPercent > 0) parts.push(`${num(c.reorderPercent)} % reordered`);
    if (c.rateKbps > 0) parts.push(rateWithQueue(c, true));
    return c.delayMs === 0 && parts.length === 1 && c.jitterMs === 0 ? '' : parts.join(', ');
  };
  return bothWays(direction(change.downlink), direction(change.uplink)) || 'unimpaired';
}

/** One row per condition of each path behind a link, in order: the base (previous = null) and each scheduled change. */
interface ConditionRow {
  pathIndex: number;
  pathId: string;
  change: NetworkChange;
  previous: NetworkChange | null;
}

function conditionRows(results: Results): ConditionRow[] {
  return results.paths.flatMap((path, pathIndex) =>
    (path.network?.changes ?? []).map((change, i, all): ConditionRow => ({ pathIndex, pathId: path.id, change, previous: i > 0 ? all[i - 1]! : null })),
  );
}

/** The scheduled changes of every path (base conditions left out), with the label the timeline chart draws. */
export function networkMarkers(results: Results): NetworkMarker[] {
  return conditionRows(results).flatMap(({ pathIndex, pathId, change, previous }) =>
    change.at !== null && previous && Number.isFinite(change.t)
      ? [{ pathIndex, t: change.t, label: `${pathId}: ${describeNetworkChange(previous, change)}` }]
      : [],
  );
}

/**
 * The conditions under the latency-over-time chart (readable without the canvas and in print): per impaired path its
 * base condition, then each scheduled change with what it changed. Empty when no path ran behind a link.
 */
export function networkChangesHtml(results: Results): string {
  const rows = conditionRows(results).map(({ pathIndex, pathId, change, previous }) => {
    const what = previous && change.at !== null ? describeNetworkChange(previous, change, true) : `base: ${describeNetworkCondition(change)}`;
    const when = change.at === null ? 'before the viewers joined' : `${num(change.at)} s after the viewers joined`;
    return `<tr data-path="${esc(pathId)}"${change.at === null ? ' class="base"' : ''}><th scope="row"><span class="swatch" style="background:${esc(pathColour(pathIndex))}"></span>${esc(pathId)}</th><td class="num" data-field="t" data-value="${esc(change.t)}">${esc(change.t.toFixed(2))}</td><td>${esc(when)}</td><td>${esc(what)}</td></tr>`;
  });
  if (!rows.length) return '';
  return `<h3>Network link conditions</h3>
<div class="table-wrap"><table class="network-changes"><thead><tr><th scope="col">Path</th><th scope="col">t<br><small>s</small></th><th scope="col" class="text">Scheduled</th><th scope="col" class="text">Link condition <small>new values; down = servers → viewer</small></th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}
