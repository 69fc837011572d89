import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCycles, importEdges, sourceFiles } from '../support/import-graph.ts';
import { ROOT } from '../support/lab-cli.ts';

/**
 * The layer rule (docs/architecture.md): a module imports only from layers below its own, never sideways into a
 * sibling of the same rank and never up. Layers, bottom to top: core → ingest | players → harness → reports → cli.
 * Inside a layer, sub-folders have ranks of their own with the same rule (files directly in the layer folder have
 * the rank of `.`); a sub-folder may always import its own files.
 */
const LAYERS: Record<string, { rank: number; inner: Record<string, number> }> = {
  core: { rank: 0, inner: { '.': 0, stats: 1, process: 1 } },
  ingest: { rank: 1, inner: { source: 0, hls: 0, relays: 0, ffmpeg: 1, 'll-hls': 1, dash: 2, servers: 1 } },
  players: { rank: 1, inner: { '.': 0, probe: 1, runtime: 2, hls: 3, webrtc: 3, dash: 3, shaka: 3, videojs: 3, flv: 3 } },
  harness: {
    rank: 2,
    inner: { network: 0, scenario: 1, results: 2, collect: 3, gate: 3, browser: 3, server: 3, validity: 3, load: 3, run: 4, bench: 5 },
  },
  reports: { rank: 3, inner: { '.': 0, page: 1 } },
  cli: { rank: 4, inner: { '.': 0 } },
};
const SOURCE_FOLDERS = Object.keys(LAYERS);

interface Place {
  layer: string;
  rank: number;
  inner: string;
  innerRank: number;
}

function placeOf(file: string): Place {
  const [layer = '', ...rest] = file.split('/');
  const spec = LAYERS[layer];
  if (!spec) throw new Error(`${file} is outside the layers ${SOURCE_FOLDERS.join(', ')}`);
  const inner = rest.length > 1 ? rest[0]! : '.';
  const innerRank = spec.inner[inner];
  if (innerRank === undefined) throw new Error(`${file}: folder ${layer}/${inner} has no rank in LAYERS (test/architecture/layers.test.ts)`);
  return { layer, rank: spec.rank, inner, innerRank };
}

/** Why an import breaks the rule, or null when it is allowed. */
function violation(from: string, to: string): string | null {
  const a = placeOf(from);
  const b = placeOf(to);
  if (a.layer !== b.layer) {
    if (b.rank < a.rank) return null;
    return b.rank === a.rank ? `sideways: ${a.layer} and ${b.layer} are siblings` : `upward: ${a.layer} (${a.rank}) → ${b.layer} (${b.rank})`;
  }
  if (a.inner === b.inner || b.innerRank < a.innerRank) return null;
  const what = b.innerRank === a.innerRank ? 'sideways' : 'upward';
  return `${what} inside ${a.layer}: ${a.inner} (${a.innerRank}) → ${b.inner} (${b.innerRank})`;
}

const files = sourceFiles(ROOT, SOURCE_FOLDERS);
const edges = importEdges(ROOT, files);

describe('the layer rule', () => {
  it('reads a real import graph', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('has every source folder placed in a layer', () => {
    const unplaced = files.flatMap((f) => {
      try {
        placeOf(f);
        return [];
      } catch (e) {
        return [(e as Error).message];
      }
    });
    expect(unplaced).toEqual([]);
  });

  it('has no upward or sideways import', () => {
    const bad = edges.flatMap((e) => {
      const why = violation(e.from, e.to);
      return why ? [`${e.from}:${e.line} imports ${e.to} — ${why}`] : [];
    });
    expect(bad).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(fileCycles(edges).map((c) => c.join(' ⇄ '))).toEqual([]);
  });

  it('resolves every import to a file that exists', () => {
    const missing = edges.filter((e) => !files.includes(e.to) && !e.to.endsWith('.json')).map((e) => `${e.from}:${e.line} → ${e.to}`);
    expect(missing).toEqual([]);
  });

  it('detects the rule being broken (the checker itself)', () => {
    expect(violation('core/errors.ts', 'harness/run/run-plan.ts')).toMatch(/upward/);
    expect(violation('ingest/relays/relay.ts', 'players/contract.ts')).toMatch(/sideways/);
    expect(violation('harness/scenario/schema.ts', 'harness/run/run-plan.ts')).toMatch(/upward inside harness/);
    expect(violation('cli/main.ts', 'harness/run/run-plan.ts')).toBeNull();
    expect(fileCycles([{ from: 'a', to: 'b', line: 1 }, { from: 'b', to: 'a', line: 1 }])).toEqual([['a', 'b']]);
  });
});

describe('file size', () => {
  it('keeps every source and test file at 300 lines or fewer', () => {
    const all = [...files, ...sourceFiles(ROOT, ['test', 'scripts'])];
    const long = all
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > 300)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });
});
