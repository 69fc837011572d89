import { readdirSync, readFileSync } from 'node:fs';
import { processRegistry } from '../../core/process/process-registry.ts';

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
  /** CPU ticks each live pid had at the previous sample (processes come and go: renderers, ffmpeg). */
  private readonly lastTicks = new Map<number, number>();
  private readonly usedTicks = new Map<string, number>();
  private readonly peakRss = new Map<string, number>();
  readonly rssSeries: Array<{ t: number; labRssMb: number }> = [];
  private startedAt = 0;
  private stoppedAt = 0;

  start(intervalMs = 1000): void {
    this.startedAt = Date.now();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), intervalMs);
  }

  stop(): Record<string, ComponentUsage> {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    this.stoppedAt = Date.now();
    const seconds = (this.stoppedAt - this.startedAt) / 1000;
    const out: Record<string, ComponentUsage> = {};
    for (const [label, ticks] of this.usedTicks) {
      out[label] = {
        cpuPercent: seconds > 0 ? Math.round((ticks / CLOCK_TICKS / seconds) * 1000) / 10 : 0,
        rssMbMax: Math.round((this.peakRss.get(label) ?? 0) / 1e5) / 10,
      };
    }
    return out;
  }

  /**
   * Adds each labelled process's CPU since the previous sample (a process first seen after the start counts
   * from its birth; ticks of processes that exit between samples are lost, so sample often).
   */
  private sample(baseline: boolean): void {
    const groups = new Map(processRegistry.live().map(({ pid, label }) => [pid, label]));
    const rss = new Map<string, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (!stat) continue;
      const label = groups.get(stat.pgrp) ?? (stat.pid === process.pid ? 'lab (node)' : undefined);
      if (!label) continue;
      const previous = this.lastTicks.get(stat.pid);
      this.lastTicks.set(stat.pid, stat.cpuTicks);
      if (!baseline) this.usedTicks.set(label, (this.usedTicks.get(label) ?? 0) + stat.cpuTicks - (previous ?? 0));
      else this.usedTicks.set(label, this.usedTicks.get(label) ?? 0);
      rss.set(label, (rss.get(label) ?? 0) + stat.rssBytes);
    }
    for (const [label, bytes] of rss) this.peakRss.set(label, Math.max(this.peakRss.get(label) ?? 0, bytes));
    const lab = rss.get('lab (node)');
    if (lab !== undefined) this.rssSeries.push({ t: (Date.now() - this.startedAt) / 1000, labRssMb: lab / 1e6 });
  }
}
