import { readdirSync, readFileSync } from 'node:fs';
import { processRegistry } from '../process/process-registry.ts';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  pgrp: number;
  cpuTicks: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (stat field 3): pgrp is field 5, utime 14, stime 15, rss 24.
    return {
      pid,
      pgrp: Number(fields[2]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

export interface ComponentUsage {
  /** Mean CPU over the sampling period, in % of one core. */
  cpuPercent: number;
  /** Peak resident memory (MB). */
  rssMbMax: number;
}

/**
 * Samples CPU and memory of the lab's components from /proc: every child process group the run registered
 * (ffmpeg, clock source, Chromium with all its renderers) by label, plus the lab's own Node process.
 */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private readonly first = new Map<string, { ticks: number; at: number }>();
  private readonly last = new Map<string, { ticks: number; at: number }>();
  private readonly peakRss = new Map<string, number>();
  readonly rssSeries: Array<{ t: number; labRssMb: number }> = [];
  private readonly startedAt = Date.now();

  start(intervalMs = 1000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): Record<string, ComponentUsage> {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const out: Record<string, ComponentUsage> = {};
    for (const [label, end] of this.last) {
      const begin = this.first.get(label)!;
      const seconds = (end.at - begin.at) / 1000;
      out[label] = {
        cpuPercent: seconds > 0 ? Math.round(((end.ticks - begin.ticks) / CLOCK_TICKS / seconds) * 1000) / 10 : 0,
        rssMbMax: Math.round((this.peakRss.get(label) ?? 0) / 1e5) / 10,
      };
    }
    return out;
  }

  private sample(): void {
    const now = Date.now();
    const groups = new Map(processRegistry.live().map(({ pid, label }) => [pid, label]));
    const totals = new Map<string, { ticks: number; rss: number }>();
    const add = (label: string, stat: ProcStat) => {
      const t = totals.get(label) ?? { ticks: 0, rss: 0 };
      t.ticks += stat.cpuTicks;
      t.rss += stat.rssBytes;
      totals.set(label, t);
    };
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (!stat) continue;
      const label = groups.get(stat.pgrp);
      if (label) add(label, stat);
      else if (stat.pid === process.pid) add('lab (node)', stat);
    }
    for (const [label, { ticks, rss }] of totals) {
      // A component's ticks only grow while it lives; keep the first reading and the latest one.
      if (!this.first.has(label)) this.first.set(label, { ticks, at: now });
      this.last.set(label, { ticks, at: now });
      this.peakRss.set(label, Math.max(this.peakRss.get(label) ?? 0, rss));
    }
    const lab = totals.get('lab (node)');
    if (lab) this.rssSeries.push({ t: (now - this.startedAt) / 1000, labRssMb: lab.rss / 1e6 });
  }
}
