import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/errors.ts';
import { clip, MAX_SCENARIO_BYTES } from '../../../harness/scenario/input-limits.ts';
import { loadScenarioPoints, parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { expandScenario } from '../../../harness/scenario/expand-scenario.ts';
import { scenarioSchema } from '../../../harness/scenario/schema.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

/** The UsageError loading `text` as a scenario file throws. */
function loadError(text: string | Buffer): UsageError {
  const file = join(mkdtempSync(join(tmpdir(), 'lab-limits-')), 'scenario.yaml');
  writeFileSync(file, text);
  try {
    loadScenarioPoints(file);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected the scenario to be refused');
}

describe('input limits: scenario files', () => {
  it('refuses a file over 1 MiB by its size, without echoing it', () => {
    const big = `name: x\ndescription: ${'a'.repeat(MAX_SCENARIO_BYTES)}\npaths: [{ kind: hls }]\n`;
    const error = loadError(big);
    expect(error.message).toMatch(new RegExp(`is ${Buffer.byteLength(big)} bytes; the limit is ${MAX_SCENARIO_BYTES} bytes`));
    expect(error.message.length).toBeLessThan(400);
  });

  it('refuses a binary file as not text', () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
    const error = loadError(binary);
    expect(error.message).toMatch(/is not a text file \(it holds NUL bytes\)/);
    expect(error.message.length).toBeLessThan(400);
  });

  it('reads at most 1 MiB of a file that never ends (/dev/zero) and refuses it', () => {
    expect(() => loadScenarioPoints('/dev/zero')).toThrow(/is more than 1048576 bytes/);
  });

  it('cuts every echoed value to about 80 characters and lists at most 20 problems', () => {
    const long = 'x'.repeat(500_000);
    const error = loadError(`${long}\n`); // YAML: the whole file is one string where an object belongs
    expect(error.message).toMatch(/\(top level\): must be an object, got "xxx+… \(500002 characters\)/);
    expect(error.message.length).toBeLessThan(400);

    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${'k'.repeat(300)}${i}`, 1]));
    const unknown = problemsOf({ name: 'x', paths: [{ kind: 'hls' }], ...keys }).join('\n');
    expect(unknown).toMatch(/kkk+… \(301 characters\): unknown key; allowed:/);
    expect(unknown).toMatch(/… and 40 more unknown keys/);
    expect(unknown.length).toBeLessThan(6000);

    const list = loadError(`name: x\npaths: [{ kind: hls, segmentDuration: [${Array(5000).fill('"a"').join(',')}] }]\n`);
    expect(list.problems.length).toBe(5000);
    expect(list.message).toMatch(/… and 4980 more problems$/);
    expect(list.message.split('\n').length).toBe(22);
    expect(clip('y'.repeat(10), 80)).toBe('yyyyyyyyyy');
  });
});

describe('input limits: scenario values', () => {
  it('refuses segment and part durations shorter than one frame', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuration: 1e-12 }] })).toEqual([
      'paths[0].segmentDuration: 1e-12 s is shorter than one frame at 30 fps; it must be at least one frame, 0.0333 s',
    ]);
    const ll = problemsOf({ name: 'x', video: { fps: 25 }, paths: [{ kind: 'll-hls', segmentDuration: 1, partDuration: 1e-12 }] });
    expect(ll).toEqual(['paths[0].partDuration: 1e-12 s is shorter than one frame at 25 fps; it must be at least one frame, 0.04 s']);
    const swept = problemsOf({ name: 'x', paths: [{ kind: 'll-hls', segmentDuration: [1, 0.001] }] });
    expect(swept).toContain('paths[0].segmentDuration[1]: 0.001 s is shorter than one frame at 30 fps; it must be at least one frame, 0.0333 s');
    // One frame is allowed.
    const [point] = parseScenarioPoints({ name: 'x', paths: [{ kind: 'll-hls', segmentDuration: 1, partDuration: 1 / 30 }] });
    expect(pathIdOf(point!.scenario.paths[0]!)).toBe('ll-hls-1s-33ms');
  });

  it('counts the paths a sweep would make before expanding it, and refuses more than 64', () => {
    const list = (value: number) => Array.from({ length: 3000 }, () => value);
    const huge = problemsOf({ name: 'x', paths: [{ kind: 'll-hls', segmentDuration: list(1), listSize: list(6), partDuration: list(0.2) }] });
    expect(huge).toEqual([
      'paths: the lists would make 27,000,000,000 paths (paths[0].partDuration: 3000 values, paths[0].segmentDuration: 3000 values, paths[0].listSize: 3000 values); a run takes at most 64 paths: shorten the lists or split them over several scenarios',
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuration: [1, 2, 3, 4, 5, 6, 7, 8], listSize: [3, 4, 5, 6, 7, 8, 9, 10] }, { kind: 'webrtc' }] })[0]).toMatch(
      /^paths: the lists would make 65 paths/,
    );
    // 64 are expanded (run or not: the viewer capacity check comes after, with this machine's figures).
    const file = scenarioSchema.parse({ name: 'x', paths: [{ kind: 'hls', segmentDuration: [1, 2, 3, 4, 5, 6, 7, 8], listSize: [3, 4, 5, 6, 7, 8, 9, 10] }] });
    const [point] = expandScenario(file);
    expect(point!.scenario.paths).toHaveLength(64);
  });

  it('limits names and path ids to 64 characters', () => {
    expect(problemsOf({ name: 'n'.repeat(300), paths: [{ kind: 'hls' }] })).toEqual(['name: must be at most 64 characters, got 300']);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', id: 'p'.repeat(65) }] })).toEqual(['paths[0].id: must be at most 64 characters, got 65']);
    expect(parseScenarioPoints({ name: 'n'.repeat(64), paths: [{ kind: 'hls' }] })[0]!.scenario.name).toHaveLength(64);
  });
});
