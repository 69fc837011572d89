import { afterEach, describe, expect, it } from 'vitest';
import { ClockSync, CLOCK_PATH } from '../../../players/probe/clock-sync.ts';
import { clockRoute } from '../../../harness/browser/clock-route.ts';
import { LabServer } from '../../../harness/server/lab-server.ts';

/**
 * The page side of the clock-offset estimate against the lab server's real /lab/time route, over a real loopback
 * socket: a "page" whose clock runs 5 s ahead (its clock function adds 5000 ms) is found 5 s ahead, within the
 * uncertainty the exchange reports, and a page on the lab's clock is found at 0.
 */
const servers: LabServer[] = [];
afterEach(async () => void (await Promise.all(servers.splice(0).map((s) => s.close()))));

async function estimate(pageAheadMs: number): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  const server = new LabServer().use(clockRoute);
  servers.push(server);
  const url = (await server.listen()) + CLOCK_PATH;
  return new Promise((resolve) => {
    const sync = new ClockSync(
      (_wall, offsetMs, uncertaintyMs) => {
        sync.stop();
        resolve({ offsetMs, uncertaintyMs });
      },
      () => performance.timeOrigin + performance.now() + pageAheadMs, // a sub-ms page clock, like the probe's mapping
      url,
    );
    void sync.start();
  });
}

describe('ClockSync against the lab server', () => {
  it('finds a page clock 5 s ahead at −5000 ms, within the reported uncertainty', async () => {
    const { offsetMs, uncertaintyMs } = await estimate(5000);
    expect(uncertaintyMs).toBeGreaterThan(0);
    expect(uncertaintyMs).toBeLessThan(50); // loopback round trips, even on a loaded machine
    // the page clock above (Node's timeOrigin + now) may stand up to ~1 ms off Date.now(), which the lab's clock follows
    expect(Math.abs(offsetMs + 5000)).toBeLessThanOrEqual(uncertaintyMs + 1);
  });

  it('finds a page on the lab clock at 0', async () => {
    const { offsetMs, uncertaintyMs } = await estimate(0);
    expect(Math.abs(offsetMs)).toBeLessThanOrEqual(uncertaintyMs + 1);
  });

  it('follows a wide estimate quickly (250 ms, not the 2 s pace): the viewer is not withheld for want of a narrow one', async () => {
    // The first burst's 30 exchanges are answered 12 ms late (as queued on a loaded machine): rtt/2 ≥ 6 ms.
    let answered = 0;
    const server = new LabServer().use((req, res, pathname) => {
      if (pathname !== CLOCK_PATH) return false;
      if (answered++ < 30) setTimeout(() => clockRoute(req, res, pathname), 12);
      else clockRoute(req, res, pathname);
      return true;
    });
    servers.push(server);
    const url = (await server.listen()) + CLOCK_PATH;
    const estimates: Array<{ at: number; uncertaintyMs: number }> = [];
    await new Promise<void>((resolve) => {
      const sync = new ClockSync(
        (_wall, _offset, uncertaintyMs) => {
          estimates.push({ at: performance.now(), uncertaintyMs });
          if (estimates.length === 2) {
            sync.stop();
            resolve();
          }
        },
        () => performance.timeOrigin + performance.now(),
        url,
      );
      void sync.start();
    });
    expect(estimates[0]!.uncertaintyMs).toBeGreaterThan(6);
    expect(estimates[1]!.uncertaintyMs).toBeLessThan(estimates[0]!.uncertaintyMs);
    expect(estimates[1]!.at - estimates[0]!.at).toBeLessThan(1500);
  });

  it('answers the lab clock in headers, with its resolution', async () => {
    const server = new LabServer().use(clockRoute);
    servers.push(server);
    const before = Date.now();
    const response = await fetch((await server.listen()) + CLOCK_PATH);
    const after = Date.now() + 1;
    const wall = Number(response.headers.get('x-lab-wall-ms'));
    expect(wall).toBeGreaterThanOrEqual(before);
    expect(wall).toBeLessThanOrEqual(after);
    expect(Number(response.headers.get('x-lab-wall-resolution-ms'))).toBeLessThanOrEqual(0.5);
    expect(((await response.json()) as { wallMs: number }).wallMs).toBeCloseTo(wall, 2);
  });
});
