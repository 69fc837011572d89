import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/lab-cli.ts';
import { brokenLinks, codeSpans, githubSlug, headingAnchors, labInvocations, markdownLinks, schemaKeys, withoutFences } from './markdown.ts';

/**
 * The documentation stays true to the repository: README.md is a front page (≤ 150 lines), every relative link of
 * README.md and docs/*.md resolves (files and #anchors, GitHub's slug rules), docs/README.md indexes every page,
 * every key of the scenario JSON Schema is described in docs/scenarios.md, and every `lab <command> --flag` the docs
 * show is one that cli/ defines.
 */

const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const PAGES = ['README.md', ...DOCS];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('README.md', () => {
  it('is a front page of at most 150 lines', () => {
    expect(read('README.md').split('\n').length - 1).toBeLessThanOrEqual(150);
  });

  it('links to the manual index and shows the report picture', () => {
    const targets = markdownLinks(read('README.md'), 'README.md').map((l) => l.target);
    expect(targets).toContain('docs/README.md');
    expect(targets).toContain('docs/report-segment-sweep.png');
  });
});

describe('links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    expect(DOCS.length).toBeGreaterThanOrEqual(12);
    const links = PAGES.flatMap((f) => markdownLinks(read(f), f));
    expect(links.filter((l) => l.target.includes('#')).length).toBeGreaterThan(20);
  });

  it('resolves every relative link and #anchor', () => {
    expect(brokenLinks(ROOT, PAGES)).toEqual([]);
  });

  it('indexes every docs page in docs/README.md', () => {
    const indexed = new Set(markdownLinks(read('docs/README.md'), 'docs/README.md').map((l) => `docs/${l.target.split('#')[0]}`));
    expect(DOCS.filter((page) => page !== 'docs/README.md' && !indexed.has(page))).toEqual([]);
  });
});

describe('the link checker itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latency-lab-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'a.md'), '# Page A\n\n## The instrument check: `lab calibrate`\n\n## Sweeps, presets and viewers\n\n## Sweeps, presets and viewers\n');
  writeFileSync(
    join(dir, 'README.md'),
    [
      '# Front',
      '[ok](docs/a.md) [ok](docs/a.md#the-instrument-check-lab-calibrate) [ok](docs/a.md#sweeps-presets-and-viewers-1) [ok](#front)',
      '[gone](docs/b.md) [bad anchor](docs/a.md#calibrate) [bad self](#nowhere) [web](https://example.com/x#y)',
      '`[not a link](docs/none.md)`',
      '```',
      '[not a link either](docs/none.md)',
      '```',
      '[ref]: docs/missing.md',
    ].join('\n'),
  );

  it('reports a missing file, a missing anchor and a broken reference, and nothing else', () => {
    const broken = brokenLinks(dir, ['README.md']);
    expect(broken).toHaveLength(4);
    expect(broken[0]).toMatch(/^README\.md:3 → docs\/b\.md: docs\/b\.md does not exist/);
    expect(broken[1]).toMatch(/docs\/a\.md#calibrate: docs\/a\.md has no heading with the anchor #calibrate/);
    expect(broken[2]).toMatch(/#nowhere: README\.md has no heading/);
    expect(broken[3]).toMatch(/^README\.md:8 → docs\/missing\.md/);
  });

  it('makes anchors the way GitHub does', () => {
    expect(githubSlug('The instrument check: `lab calibrate`')).toBe('the-instrument-check-lab-calibrate');
    expect(githubSlug("The seed's claim, reproduced")).toBe('the-seeds-claim-reproduced');
    expect(githubSlug('index.json and repeats.json')).toBe('indexjson-and-repeatsjson');
    expect(githubSlug('Where the LL-HLS latency goes')).toBe('where-the-ll-hls-latency-goes');
    expect([...headingAnchors('## A\n```\n## not a heading\n```\n## A\n')]).toEqual(['a', 'a-1']);
  });
});

describe('docs/scenarios.md', () => {
  const schema: unknown = JSON.parse(read('scenarios/scenario.schema.json'));
  const keys = [...schemaKeys(schema)];
  const described = new Set(withoutFences(read('docs/scenarios.md')).flatMap(codeSpans));

  it('reads the keys of the scenario JSON Schema, path kinds and network included', () => {
    expect(keys.length).toBeGreaterThan(30);
    expect(keys).toEqual(expect.arrayContaining(['name', 'paths', 'segmentDuration', 'relay', 'partHoldBack', 'network', 'schedule', 'at', 'uplink']));
  });

  it('describes every key as `key`', () => {
    expect(keys.filter((k) => !described.has(k)).sort()).toEqual([]);
  });

  it('would notice an undescribed key', () => {
    const extra = [...schemaKeys({ properties: { a: { anyOf: [{ items: { properties: { deepKeyNobodyDocuments: {} } } }] } } })];
    expect(extra.filter((k) => !described.has(k))).toEqual(['a', 'deepKeyNobodyDocuments']);
  });
});

/** `lab` commands and their options (each as its aliases, e.g. ['-o', '--out']), read from the commander definitions in cli/. */
function cliCommands(): Map<string, string[][]> {
  const commands = new Map<string, string[][]>();
  for (const file of readdirSync(join(ROOT, 'cli')).filter((f) => f.endsWith('.ts'))) {
    let current: string[][] | undefined;
    for (const m of read(`cli/${file}`).matchAll(/\.(command|option|requiredOption)\(\s*'([^']+)'/g)) {
      if (m[1] === 'command') {
        current = [['-h', '--help']];
        commands.set(m[2]!.split(' ')[0]!, current);
      } else current?.push(m[2]!.match(/--?[a-zA-Z][\w-]*/g) ?? []);
    }
  }
  return commands;
}

describe('commands shown in the docs', () => {
  const commands = cliCommands();
  const shown = PAGES.flatMap((page) => labInvocations(read(page), page));
  const wrongIn = (invocations: typeof shown) =>
    invocations.flatMap(({ where, command, flags, leading }) => {
      const options = commands.get(command);
      if (!options) return leading ? [`${where}: lab ${command} is not a command (${[...commands.keys()].join(', ')})`] : [];
      return flags.filter((f) => !options.some((aliases) => aliases.includes(f))).map((f) => `${where}: lab ${command} has no option ${f}`);
    });

  it('reads the commands from cli/', () => {
    expect([...commands.keys()].sort()).toEqual(['baseline', 'bench', 'calibrate', 'check', 'doctor', 'report', 'run', 'schema', 'show-report']);
    expect(commands.get('run')).toEqual(expect.arrayContaining([['-o', '--out'], ['-d', '--duration'], ['-r', '--repeat'], ['-q', '--quiet']]));
    expect(shown.length).toBeGreaterThan(30);
  });

  it('exist, with the options they are shown with', () => {
    expect(wrongIn(shown)).toEqual([]);
  });

  it('are all listed with every option in docs/commands.md', () => {
    const listed = new Map<string, Set<string>>();
    for (const { command, flags } of labInvocations(read('docs/commands.md'), 'docs/commands.md')) {
      const seen = listed.get(command) ?? new Set<string>();
      flags.forEach((f) => seen.add(f));
      listed.set(command, seen);
    }
    const missing = [...commands].flatMap(([command, options]) => {
      const shownWith = listed.get(command);
      if (!shownWith) return [`lab ${command}`];
      return options.filter((aliases) => !aliases.includes('--help') && !aliases.some((a) => shownWith.has(a))).map((aliases) => `lab ${command} ${aliases.join(', ')}`);
    });
    expect(missing).toEqual([]);
  });

  it('would notice a wrong command or option', () => {
    const text = 'Run `npx lab run -o DIR --duration 5 --fast` # not --this, `<lab pid>.json`\n\n```sh\nnpx lab frobnicate --x\nlab check r --baseline b --json \\\n  --bogus\n```\n';
    expect(wrongIn(labInvocations(text, 'x.md'))).toEqual([
      'x.md:1: lab run has no option --fast',
      `x.md:4: lab frobnicate is not a command (${[...commands.keys()].join(', ')})`,
      'x.md:5: lab check has no option --bogus',
    ]);
  });
});
