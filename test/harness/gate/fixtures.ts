import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HlsParams, JoinSummary, PathFigures, PathResult, Results, ViewerResult, WebrtcParams } from '../../../harness/results/types.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import type { ScenarioInput } from '../../../harness/scenario/schema.ts';
import { seededRandom as createRandom } from '../../../core/stats/seeded-random.ts';
import { summarize } from '../../../core/stats/summary.ts';

/** Synthetic run data for gate tests: no ffmpeg, no browser. */

export function viewer(overrides: Partial<ViewerResult> = {}): ViewerResult {
  return {
    viewer: 1,
    latencyMs: null,
    framesMeasured: 600,
    framesUndecodable: 0,
    framesPresented: 600,
    framesDropped: 0,
    firstFrameMs: 800,
    stalls: { count: 0, totalMs: 0 },
    timeline: [],
    joinedAt: 1_000,
    measureFrom: 10_000,
    measureTo: 30_000,
    ...overrides,
  };
}

/** A WebRTC viewer's join record ending in `state` (connected, or failed `failedAfterMs` after its offer). */
export function webrtcJoin(state: string, failedAfterMs?: number): JoinSummary {
  const connection = failedAfterMs === undefined ? { state, iceState: state } : { state, iceState: 'failed', reason: 'ICE failed', failedAfterMs };
  const phasesMs = { setup: null, offer: null, answer: null, ice: null, dtls: null, firstRtp: null, keyframe: null, decode: null, present: null };
  return { protocol: 'webrtc', trickle: false, atMs: {}, phasesMs, candidates: [], selectedPair: null, connection };
}

export function pathResult(id: string, latencies: readonly number[], overrides: Partial<PathFigures> = {}): PathResult {
  const summary = summarize(latencies);
  return {
    id,
    ...(id.startsWith('hls') ? { kind: 'hls' as const, params: {} as HlsParams } : { kind: 'webrtc' as const, params: {} as WebrtcParams }),
    latencyMs: summary,
    framesMeasured: latencies.length,
    framesUndecodable: 0,
    viewers: [viewer({ latencyMs: summary, framesMeasured: latencies.length })],
    ...overrides,
  };
}

/** Results of a synthetic run; thresholds are recorded as given (unvalidated, like results from an older lab). */
export function results(paths: PathResult[], scenario: Partial<ScenarioInput> = {}, overrides: Partial<Results> = {}): Results {
  const { thresholds, ...rest } = scenario;
  const parsed = parseScenario({
    name: 'test',
    paths: paths.map((p) => (p.kind === 'hls' ? { kind: 'hls', id: p.id, segmentDuration: 1 } : { kind: 'webrtc', id: p.id })),
    ...rest,
  });
  return {
    schemaVersion: 1,
    status: 'complete',
    scenario: thresholds ? { ...parsed, thresholds } : parsed,
    environment: {
      node: 'v20',
      ffmpeg: { path: '/usr/bin/ffmpeg', version: '6' },
      browser: { path: '/usr/bin/chromium', version: '130' },
      os: 'linux',
      cpus: { count: 2, model: 'test' },
      memoryGiB: 4,
      labVersion: '0.1.0',
    },
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:00:30.000Z',
    wallSeconds: 30,
    joinWaitSeconds: 1,
    source: null,
    paths,
    ...overrides,
  };
}

/** Standard normal draws from a seeded generator (Box–Muller). */
export function normals(seed: number): () => number {
  const random = createRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** n log-normal latencies around `median` ms (10 % spread), reproducible. */
export function latencies(n: number, median: number, seed: number, spread = 0.1): number[] {
  const z = normals(seed);
  return Array.from({ length: n }, () => Math.round(median * Math.exp(spread * z()) * 100) / 100);
}

/** A run folder in a fresh temp dir: results.json plus samples.csv built from each path's latencies. */
const created: string[] = [];

/** Removes every temp dir this module made (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function tempDir(prefix = 'gate-out-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function writeRun(res: Results, samples: Record<string, readonly number[]>, options: { samples?: boolean } = {}): string {
  const dir = tempDir('gate-run-');
  writeFileSync(join(dir, 'results.json'), JSON.stringify(res, null, 2));
  if (options.samples !== false) {
    const rows = ['path,viewer,wallClockMs,latencyMs'];
    for (const [id, values] of Object.entries(samples)) {
      values.forEach((v, i) => rows.push(`${id},1,${10_000 + i * 33.3},${v}`));
    }
    writeFileSync(join(dir, 'samples.csv'), `${rows.join('\n')}\n`);
  }
  return dir;
}
