import { describe, expect, it } from 'vitest';
import { LoopStallMonitor } from '../../../harness/collect/loop-stalls.ts';

/** The monitor on this process's real event loop: a blocking task shows as one stall of about its length. */
describe('LoopStallMonitor', () => {
  it('records a 150 ms blocking task as a stall of at least that long, with its end time', async () => {
    const monitor = new LoopStallMonitor().start();
    await new Promise((r) => setTimeout(r, 50));
    const before = Date.now();
    const until = performance.now() + 150;
    while (performance.now() < until) {
      // the lab's loop doing one long task
    }
    const after = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    const stalls = monitor.stop();
    const big = stalls.filter((s) => s.ms >= 150);
    expect(big, JSON.stringify(stalls)).toHaveLength(1);
    expect(big[0]!.wallMs).toBeGreaterThanOrEqual(after);
    expect(big[0]!.wallMs - big[0]!.ms).toBeLessThanOrEqual(before + 1);
    expect(monitor.stop()).toBe(stalls); // idempotent
  });
});
