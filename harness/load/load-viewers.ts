import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ComponentDiedError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import type { LoadViewersResult } from '../results/load-types.ts';
import { addCounts, emptyCounts, REPORT_PREFIX, type LoadPathCounts, type LoadSessionSpec, type LoadWorkerReport } from './load-types.ts';

const WORKER_MAIN = fileURLToPath(new URL('./load-worker-main.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
/** How long a worker may take to load (tsx, werift) and print its first report (ms). */
const WORKER_READY_MS = 30_000;

interface LoadViewersEvents {
  /** A worker exited while the run needed it. */
  died: [error: ComponentDiedError];
}

export interface LoadViewersOptions {
  /** How many sessions each path asked for (its `loadViewers`). */
  requested: Map<string, number>;
  /** Each path's load-viewer kind (default webrtc). */
  kinds?: Map<string, 'webrtc' | 'hls'>;
  killTimeoutMs: number;
  /** Worker processes (default: one per core, never more than sessions). */
  workers?: number;
}

/**
 * The run's load viewers: receive-only WebRTC sessions without a browser, dealt round-robin over worker processes
 * (one per core; child processes managed like ffmpeg: own process group, registered, killed in every ending). All
 * sessions start at once. Each worker reports its counts every second; counts() sums the latest reports, and after
 * close() the workers' final ones.
 */
export class LoadViewers extends EventEmitter<LoadViewersEvents> {
  private readonly latest = new Map<number, LoadWorkerReport>();
  private readonly startedMs = Date.now();
  /** The lab's own process (werift relays, HLS origins, signaling, the harness) over the load viewers' life. */
  private readonly labCpuStart = process.cpuUsage();
  private labCpuMs: number | undefined;
  private closedMs: number | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly workers: ManagedProcess[], private readonly options: LoadViewersOptions) {
    super();
  }

  static async start(specs: LoadSessionSpec[], options: LoadViewersOptions): Promise<LoadViewers> {
    const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), specs.length));
    const procs: ManagedProcess[] = [];
    const load = new LoadViewers(procs, options);
    try {
      for (let w = 0; w < count; w++) {
        const proc = await ManagedProcess.start({
          name: `load worker ${w}`,
          command: process.execPath,
          args: ['--import', TSX_LOADER, WORKER_MAIN],
          stdin: true,
          killTimeoutMs: options.killTimeoutMs,
        });
        procs.push(proc);
        proc.on('line', (line) => load.onLine(w, line));
        proc.on('died', (err) => {
          if (!load.closing) load.emit('died', err);
        });
        proc.stdin?.write(`${JSON.stringify(specs.filter((_, i) => i % count === w))}\n`);
      }
      await Promise.all(procs.map((p) => p.waitForLine(new RegExp(`^${REPORT_PREFIX}`), WORKER_READY_MS)));
      return load;
    } catch (err) {
      await load.close();
      throw err;
    }
  }

  /** The worker processes' ids (for tests and diagnostics). */
  get pids(): number[] {
    return this.workers.map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Per path, summed over the workers' latest reports. */
  counts(): Map<string, LoadPathCounts> {
    const out = new Map<string, LoadPathCounts>();
    for (const report of this.latest.values()) {
      for (const [pathId, counts] of Object.entries(report.paths)) out.set(pathId, addCounts(out.get(pathId) ?? emptyCounts(), counts));
    }
    return out;
  }

  /** What results.json records for path `pathId`, or undefined when it had no load viewers. */
  result(pathId: string): LoadViewersResult | undefined {
    const requested = this.options.requested.get(pathId);
    if (!requested) return undefined;
    const counts = this.counts().get(pathId) ?? emptyCounts();
    const cpuMs = [...this.latest.values()].reduce((sum, r) => sum + r.cpuMs, 0);
    const lifeMs = Math.max(1, (this.closedMs ?? Date.now()) - this.startedMs);
    const labMs = this.labCpuMs ?? cpuMsSince(this.labCpuStart);
    return {
      kind: this.options.kinds?.get(pathId) ?? 'webrtc',
      requested,
      ...counts,
      workers: this.workers.length,
      workersCpuPercent: percent(cpuMs, lifeMs),
      labCpuPercent: percent(labMs, lifeMs),
    };
  }

  /** Ends every worker: stdin closes, each prints its final report, closes its sessions and exits (else it is killed). */
  close(): Promise<void> {
    this.labCpuMs ??= cpuMsSince(this.labCpuStart);
    this.closedMs ??= Date.now();
    this.closing ??= Promise.all(this.workers.map((w) => w.close())).then(() => {});
    return this.closing;
  }

  private onLine(worker: number, line: string): void {
    if (!line.startsWith(REPORT_PREFIX)) return;
    try {
      this.latest.set(worker, JSON.parse(line.slice(REPORT_PREFIX.length)) as LoadWorkerReport);
    } catch {
      /* a torn line: the next report replaces it */
    }
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function percent(cpuMs: number, wallMs: number): number {
  return Math.round((cpuMs / wallMs) * 1000) / 10;
}
