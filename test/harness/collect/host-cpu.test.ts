import { describe, expect, it } from 'vitest';
import { HostCpuSampler, readCpuCounters } from '../../../harness/collect/host-cpu.ts';
import { cpuBusyPct } from '../../../harness/validity/window-figures.ts';

describe('host CPU from /proc/stat', () => {
  it('reads the aggregate cpu line: busy = user + nice + system + irq + softirq + steal, total adds idle + iowait', () => {
    const text = 'cpu  100 5 50 1000 20 3 2 7 0 0\ncpu0 50 2 25 500 10 1 1 3 0 0\nintr 1\n';
    expect(readCpuCounters(text)).toEqual({ busyTicks: 167, totalTicks: 1187 });
    expect(readCpuCounters('intr 1\n')).toBeNull();
  });

  it('samples this machine: burning one core for 600 ms shows in the busy share', async () => {
    const sampler = new HostCpuSampler().start(100);
    const from = Date.now();
    while (Date.now() - from < 600) Math.sqrt(Math.random());
    const to = Date.now();
    await new Promise((r) => setTimeout(r, 150));
    const samples = sampler.stop();
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.totalTicks).toBeGreaterThanOrEqual(samples[i - 1]!.totalTicks);
    // One core of the machine's cores was busy with this loop at least (other work can only add to it).
    const cores = (await import('node:os')).availableParallelism();
    const busy = cpuBusyPct(samples, { from, to })!;
    expect(busy).toBeGreaterThan((100 / cores) * 0.7);
    expect(busy).toBeLessThanOrEqual(100);
  });
});
