import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** One reading of the host's aggregate CPU counters (/proc/stat's `cpu` line, in clock ticks). */
export interface CpuSample {
  wallMs: number;
  /** user + nice + system + irq + softirq + steal (steal: time a hypervisor gave to someone else). */
  busyTicks: number;
  /** busy + idle + iowait. */
  totalTicks: number;
  /** The 1-minute load average then (runnable + uninterruptible tasks, smoothed): how crowded the cores were. */
  load1?: number;
}

/** The `cpu` line of /proc/stat as counters; null where /proc is not Linux's (the run then has no CPU figure). */
export function readCpuCounters(text?: string): Omit<CpuSample, 'wallMs'> | null {
  let stat = text;
  if (stat === undefined) {
    try {
      stat = readFileSync('/proc/stat', 'utf8');
    } catch {
      return null;
    }
  }
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busyTicks = user + nice + system + irq + softirq + steal;
  return { busyTicks, totalTicks: busyTicks + idle + iowait };
}

/**
 * Reads /proc/stat every `intervalMs` through a run (a timer on the lab's event loop; a late tick only stretches
 * one interval, the counters are cumulative). The validity judge takes the busy share over the measurement window
 * from the samples around it.
 */
export class HostCpuSampler {
  readonly samples: CpuSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 500): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): CpuSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.samples;
  }

  private sample(): void {
    const counters = readCpuCounters();
    // A day of samples at 2/s is 172,800 readings (~5 MB); beyond that keep every other one.
    if (counters) this.samples.push({ wallMs: Date.now(), ...counters, load1: Math.round(loadavg()[0]! * 100) / 100 });
    if (this.samples.length > 200_000) {
      const kept = this.samples.filter((_, i) => i % 2 === 0);
      this.samples.length = 0;
      this.samples.push(...kept);
    }
  }
}
