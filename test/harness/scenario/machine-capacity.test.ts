import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDefaults } from '../../../core/defaults.ts';
import { capacityWarning, checkScenario, viewerLoad } from '../../../harness/scenario/check-scenario.ts';
import { expandScenario } from '../../../harness/scenario/expand-scenario.ts';
import { capacityFile, machineCapacity, writeCapacityRecord } from '../../../harness/scenario/machine-capacity.ts';
import { scenarioSchema } from '../../../harness/scenario/schema.ts';

/** Where lab run's viewer guard takes this machine's capacity from: its latest bench, else the documented default. */

const dir = mkdtempSync(join(tmpdir(), 'lab-capacity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function point(viewers: number) {
  return expandScenario(scenarioSchema.parse({ name: 'x', viewers, paths: [{ kind: 'hls', segmentDuration: 1 }, { kind: 'webrtc' }] }))[0]!;
}

describe('the capacity the viewer guard uses', () => {
  it('is the documented default without a capacity file, and says so', () => {
    const none = machineCapacity(join(dir, 'missing.json'));
    expect(none.source).toBe('default');
    expect(none.viewers).toBe(labDefaults.viewerCapacityPerCore * availableParallelism());
    expect(none.origin).toMatch(/documented default, \d+ viewers per core × \d+ cores.*lab bench --quick/);
  });

  it("is this machine's latest bench when the file holds one: written by the bench, read by the guard", () => {
    const file = join(dir, 'capacity.json');
    writeCapacityRecord({ maxViewersPerPath: 6, firstFailingViewersPerPath: 8, quick: true, benchFile: '/x/bench.json', measuredAt: new Date('2025-01-02T03:04:05Z') }, file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ schemaVersion: 1, viewers: 12, maxViewersPerPath: 6, machine: { cpus: availableParallelism() } });
    const bench = machineCapacity(file);
    expect(bench).toMatchObject({ viewers: 12, source: 'bench' });
    expect(bench.origin).toContain("this machine's `lab bench --quick` of 2025-01-02T03:04:05.000Z (6 viewers per path × 2 paths held, 8 per path did not;");

    // The guard: warns above the capacity, refuses above the overload factor, and names where the figure came from.
    expect(viewerLoad(point(6), bench)).toEqual({ total: 12, capacity: 12 });
    expect(capacityWarning(point(6), bench)).toBeUndefined();
    expect(capacityWarning(point(7), bench)).toMatch(/^14 viewers exceed what this machine holds at full frame rate \(~12, from this machine's `lab bench --quick`/);
    const refused = checkScenario(point(19), { capacity: bench }).join('\n');
    expect(refused).toMatch(/viewers: 38 viewers in all is more than this machine can plausibly hold \(more than 3 × its capacity of ~12 viewers .* from this machine's `lab bench --quick`/);
    expect(checkScenario(point(18), { capacity: bench })).toEqual([]);
  });

  it('lets the bench run past the guard (capacity: null)', () => {
    expect(checkScenario(point(8), { capacity: { viewers: 1, source: 'default', origin: 'x' } }).join('\n')).toMatch(/16 viewers in all/);
    expect(checkScenario(point(8), { capacity: null })).toEqual([]);
  });

  it('ignores a file from another machine or one that is not a record, and says why', () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ schemaVersion: 1, measuredAt: 'x', machine: { cpus: availableParallelism() + 1, model: cpus()[0]?.model ?? '' }, maxViewersPerPath: 9, viewers: 18, firstFailingViewersPerPath: null, quick: false, benchFile: 'b' }));
    expect(machineCapacity(other)).toMatchObject({ source: 'default' });
    expect(machineCapacity(other).origin).toMatch(/measured on another machine .* was ignored/);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"viewers": "lots"}');
    expect(machineCapacity(junk).origin).toMatch(/is not a capacity record and was ignored/);
  });

  it('lives in LAB_CAPACITY_FILE, else the user cache dir', () => {
    expect(capacityFile({ LAB_CAPACITY_FILE: '/tmp/c.json' })).toBe('/tmp/c.json');
    expect(capacityFile({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/latency-lab/capacity.json');
    expect(capacityFile({ HOME: '/home/u' })).toMatch(/\.cache\/latency-lab\/capacity\.json$/);
  });
});
