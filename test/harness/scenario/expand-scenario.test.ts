import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchemaText } from '../../../harness/scenario/json-schema.ts';
import { loadScenarioPoints, parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

describe('sweep expansion', () => {
  it('expands list fields into readable, distinct path ids fed by one source', () => {
    const [point] = parseScenarioPoints({
      name: 'x',
      paths: [{ kind: 'hls', segmentDuration: [1, 2, 4, 6] }, { kind: 'webrtc', codec: ['h264', 'vp8'] }],
    });
    expect(point!.scenario.paths.map(pathIdOf)).toEqual(['hls-1s', 'hls-2s', 'hls-4s', 'hls-6s', 'webrtc-h264', 'webrtc-vp8']);
    expect(point!.label).toBe('');
  });

  it('names the extra swept fields in ids and takes every combination', () => {
    const [point] = parseScenarioPoints({ name: 'x', paths: [{ kind: 'hls', segmentDuration: [1, 2], listSize: [3, 6] }] });
    expect(point!.scenario.paths.map(pathIdOf)).toEqual(['hls-1s-list3', 'hls-1s-list6', 'hls-2s-list3', 'hls-2s-list6']);
  });

  it('resolves the seed presets, field by field overridable, and makes one point per video', () => {
    const points = parseScenarioPoints({
      name: 'x',
      video: [{ preset: '720p' }, { preset: '360p', bitrateKbps: 500 }, { preset: '180p' }],
      paths: [{ kind: 'webrtc' }],
    });
    expect(points.map((p) => p.scenario.video)).toEqual([
      { width: 1280, height: 720, fps: 30, bitrateKbps: 1500 },
      { width: 640, height: 360, fps: 30, bitrateKbps: 500 },
      { width: 320, height: 180, fps: 30, bitrateKbps: 300 },
    ]);
    expect(points.map((p) => p.label)).toEqual(['720p', '640x360-30fps-500k', '180p']);
  });

  it('names list elements and non-sweepable lists in errors', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuration: [1, -2] }] })).toEqual(['paths[0].segmentDuration[1]: must be > 0, got -2']);
    expect(problemsOf({ name: 'x', join: ['steady'], paths: [{ kind: 'hls' }] })).toEqual([
      'join: must be one of "steady" | "first-segment", got a list',
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuration: 'long' }] })).toEqual([
      'paths[0].segmentDuration: must be a number or a list of them, got "long"',
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', codec: ['h264', 'av1'] }] })).toEqual([
      'paths[0].codec[1]: must be one of "h264" | "vp8", got "av1"',
    ]);
  });

  it('refuses a segment duration the GOP cannot divide, naming the list element', () => {
    const problems = problemsOf({ name: 'x', video: { fps: 30 }, paths: [{ kind: 'hls', segmentDuration: [1, 1.01] }] });
    expect(problems.join('\n')).toMatch(/^paths\[0\]\.segmentDuration\[1\]: 1\.01 s is not a whole number of frames at 30 fps/);
  });

  it('refuses an explicit id next to a list, duplicate ids across expansions, and implausible viewer counts', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', id: 'a', segmentDuration: [1, 2] }] }).join('\n')).toMatch(
      /paths\[0\]\.id: an explicit id cannot be combined with the list in paths\[0\]\.segmentDuration/,
    );
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuration: [1, 2] }, { kind: 'hls', segmentDuration: 2 }] }).join('\n')).toMatch(
      /paths\[1\]\.id: "hls-2s" is already used by paths\[0\]/,
    );
    expect(problemsOf({ name: 'x', viewers: 64, paths: [{ kind: 'hls' }, { kind: 'webrtc' }] }).join('\n')).toMatch(
      /viewers: 128 viewers in all is more than this machine can plausibly hold \(more than 3 × its capacity of ~\d+ viewers at this video size, from (this machine's `lab bench|the documented default)/,
    );
  });
});

describe('shipped scenarios and the editor schema', () => {
  it('every shipped scenario is valid and points editors at the JSON Schema', () => {
    for (const file of readdirSync('scenarios').filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(`scenarios/${file}`, 'utf8').split('\n')[0], file).toBe('# yaml-language-server: $schema=./scenario.schema.json');
      expect(loadScenarioPoints(`scenarios/${file}`).length, file).toBeGreaterThan(0);
    }
  });

  it('scenarios/scenario.schema.json is what the validator generates (run `npm run schema` after changing the schema)', () => {
    expect(readFileSync('scenarios/scenario.schema.json', 'utf8')).toBe(scenarioJsonSchemaText());
  });
});
