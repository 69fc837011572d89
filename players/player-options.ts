/**
 * The players a path may name and the settings (`playerConfig:` in a scenario) each accepts, with their types: one
 * table read by the scenario check (a key not listed, or a value of the wrong type, is an exit-2 error naming the
 * key and the player) and by the page (which applies the validated settings on top of the lab's own). Keys are
 * dotted paths into the player's own configuration object; a scenario may write them nested or dotted.
 */

export type PlayerName = 'hls.js' | 'shaka' | 'videojs' | 'dashjs';
export type OptionType = 'number' | 'boolean' | 'string';

const n = 'number' as const;
const b = 'boolean' as const;
const s = 'string' as const;

/** hls.js `new Hls(config)`; the live-edge and catch-up settings, and the buffer ones that move them. */
const HLS_JS = {
  liveSyncDurationCount: n, liveMaxLatencyDurationCount: n, liveSyncDuration: n, liveMaxLatencyDuration: n,
  maxLiveSyncPlaybackRate: n, liveSyncOnStallIncrease: n, lowLatencyMode: b, liveDurationInfinity: b,
  backBufferLength: n, maxBufferLength: n, maxMaxBufferLength: n, maxBufferHole: n, highBufferWatchdogPeriod: n,
  nudgeMaxRetry: n, enableWorker: b, startPosition: n,
};

/** dash.js `player.updateSettings({ streaming: … })`. */
const DASH_JS = {
  'streaming.delay.liveDelay': n, 'streaming.delay.liveDelayFragmentCount': n, 'streaming.delay.useSuggestedPresentationDelay': b,
  'streaming.liveCatchup.enabled': b, 'streaming.liveCatchup.mode': s, 'streaming.liveCatchup.maxDrift': n,
  'streaming.liveCatchup.playbackRate.min': n, 'streaming.liveCatchup.playbackRate.max': n, 'streaming.liveCatchup.playbackBufferMin': n,
  'streaming.liveCatchup.liveThreshold': n,
  'streaming.buffer.lowLatencyStallThreshold': n, 'streaming.buffer.stallThreshold': n, 'streaming.buffer.bufferTimeDefault': n,
  'streaming.buffer.initialBufferLevel': n, 'streaming.buffer.bufferToKeep': n,
  'streaming.applyServiceDescription': b, 'streaming.applyProducerReferenceTime': b, 'streaming.utcSynchronization.enabled': b,
  'streaming.gaps.jumpGaps': b, 'streaming.gaps.jumpLargeGaps': b, 'streaming.gaps.smallGapLimit': n,
  'streaming.scheduling.lowLatencyTimeout': n, 'streaming.abr.throughput.lowLatencyDownloadTimeCalculationMode': s,
};

/** Shaka Player `player.configure({ … })`. */
const SHAKA = {
  'streaming.lowLatencyMode': b, 'streaming.liveSync.enabled': b, 'streaming.liveSync.targetLatency': n,
  'streaming.liveSync.targetLatencyTolerance': n, 'streaming.liveSync.maxPlaybackRate': n, 'streaming.liveSync.minPlaybackRate': n,
  'streaming.liveSync.panicMode': b, 'streaming.liveSync.panicThreshold': n, 'streaming.liveSync.dynamicTargetLatency.enabled': b,
  'streaming.rebufferingGoal': n, 'streaming.bufferingGoal': n, 'streaming.bufferBehind': n, 'streaming.segmentPrefetchLimit': n,
  'streaming.inaccurateManifestTolerance': n, 'streaming.stallEnabled': b, 'streaming.stallThreshold': n,
  'streaming.gapDetectionThreshold': n, 'streaming.safeSeekOffset': n, 'streaming.startAtSegmentBoundary': b,
  'streaming.updateIntervalSeconds': n, 'streaming.returnToEndOfLiveWindowWhenOutside': b,
  'manifest.defaultPresentationDelay': n, 'manifest.availabilityWindowOverride': n, 'manifest.dash.autoCorrectDrift': b,
  'manifest.dash.ignoreSuggestedPresentationDelay': b, 'manifest.dash.ignoreMinBufferTime': b,
  'manifest.hls.ignoreManifestProgramDateTime': b,
};

/** video.js `videojs(el, options)` with its http-streaming engine (VHS) under html5.vhs. */
const VIDEOJS = {
  liveui: b, 'liveTracker.liveTolerance': n, 'liveTracker.trackingThreshold': n,
  'html5.vhs.llhls': b, 'html5.vhs.overrideNative': b, 'html5.vhs.liveRangeSafeTimeDelta': n,
  'html5.vhs.useNetworkInformationApi': b, 'html5.vhs.bufferBasedABR': b, 'html5.vhs.useDtsForTimestampOffset': b,
  'html5.vhs.exactManifestTimings': b,
};

export const PLAYER_OPTIONS: Readonly<Record<PlayerName, Readonly<Record<string, OptionType>>>> = {
  'hls.js': HLS_JS,
  dashjs: DASH_JS,
  shaka: SHAKA,
  videojs: VIDEOJS,
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nested objects as dotted keys: `{ streaming: { lowLatencyMode: true } }` → [['streaming.lowLatencyMode', true]]. */
export function flattenOptions(config: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(config).flatMap(([key, value]): Array<[string, unknown]> => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isPlainObject(value) && Object.keys(value).length ? flattenOptions(value, path) : [[path, value]];
  });
}

/** Dotted keys back into the nested object a player's configure()/updateSettings() takes. */
export function nestOptions(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) node = (isPlainObject(node[part]) ? node[part] : (node[part] = {})) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

/** `base` with `over` laid on top, nested objects merged key by key (neither is changed). */
export function mergeOptions(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeOptions(out[key], value) : value;
  }
  return out;
}

/** What is wrong with `config` for `player`: unknown keys (with the closest known one) and values of the wrong type. */
export function playerOptionProblems(player: PlayerName, config: Record<string, unknown>, field: string): string[] {
  const known = PLAYER_OPTIONS[player];
  return flattenOptions(config).flatMap(([key, value]) => {
    const type = known[key];
    if (type === undefined) {
      const hint = closest(key, Object.keys(known));
      return [`${field}.${key}: unknown setting for ${player}${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${Object.keys(known).join(', ')}`];
    }
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      return [`${field}.${key}: ${player} expects a ${type}, got ${JSON.stringify(value) ?? String(value)}`];
    }
    return [];
  });
}

function closest(input: string, known: string[]): string | undefined {
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1).toLowerCase();
  const byName = known.find((k) => last(k) === last(input));
  if (byName) return byName;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const d = distance(input.toLowerCase(), key.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [key, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 4)) ? best : undefined;
}

function distance(a: string, c: string): number {
  const row = Array.from({ length: c.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= c.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === c[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[c.length]!;
}
