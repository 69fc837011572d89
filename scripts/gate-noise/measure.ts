/**
 * Measures the CI gate's noise and power on this machine (issue 14, docs/ci-gate.md "Gate noise, measured").
 *
 *   node --import tsx scripts/gate-noise/measure.ts [--pairs 10] [--out runs/gate-noise] [--scenario scenarios/ci.yaml]
 *
 * For each i: run A_i and B_i of scenarios/ci.yaml back to back and C_i of ci-shifted.yaml (+100 ms one way on the
 * WebRTC downlink, +1 segment of HLS latency). Then, with the default `lab check` settings:
 * - false positives: `lab check B_i --baseline A_i` must find no regression (A/A, target 0 of N);
 * - power: `lab check C_i --baseline A_i` must find the WebRTC and the HLS p50 regressions (target N of N);
 * - the same with the run-level bootstrap: A_1…A_k as one repeated baseline against B_1…B_k and C_1…C_k.
 * Every run's validity verdict and the load average are recorded next to the outcome, in summary.json/summary.md.
 * Uses the command line only (`lab run`, `lab baseline`, `lab check --json`), as a user's CI would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LAB = join(ROOT, 'bin', 'lab.js');

interface Args {
  pairs: number;
  /** Which runs to make now: a and b (A/A) and/or c (shifted); runs already in --out are reused. */
  sides: Array<'a' | 'b' | 'c'>;
  out: string;
  scenario: string;
  shifted: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    pairs: 10,
    sides: ['a', 'b', 'c'],
    out: join(ROOT, 'runs', 'gate-noise'),
    scenario: join(ROOT, 'scenarios', 'ci.yaml'),
    shifted: join(ROOT, 'scripts', 'gate-noise', 'ci-shifted.yaml'),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--pairs') args.pairs = Number(value);
    else if (flag === '--out') args.out = resolve(value);
    else if (flag === '--scenario') args.scenario = resolve(value);
    else if (flag === '--sides') args.sides = [...new Set(value.split(''))].filter((x): x is 'a' | 'b' | 'c' => 'abc'.includes(x));
    else if (flag === '--shifted') args.shifted = resolve(value);
    else throw new Error(`unknown flag ${flag}; allowed: --pairs, --out, --scenario, --shifted, --sides`);
  }
  if (!Number.isInteger(args.pairs) || args.pairs < 1 || args.pairs > 50) throw new Error(`--pairs must be 1…50, got ${args.pairs}`);
  return args;
}

function lab(argv: string[], lockFile?: string): { code: number; stdout: string; stderr: string } {
  // LAB_HEAVY_LOCK=<file>: take this flock around each run, so other heavy jobs on a shared machine wait for it.
  const [cmd, args] = lockFile ? ['flock', [lockFile, process.execPath, LAB, ...argv]] : [process.execPath, [LAB, ...argv]];
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

interface RunRecord {
  dir: string;
  code: number;
  status: string;
  validity: string;
  reasons: string[];
  load1: number;
  p50: Record<string, number | null>;
}

/** The 1-minute load average when a run started, kept beside it (a reused run keeps the figure it ran under). */
const LOAD_FILE = 'gate-noise-load.json';

function runOnce(scenario: string, dir: string): RunRecord | null {
  const reused = existsSync(join(dir, 'results.json'));
  const load1 = reused && existsSync(join(dir, LOAD_FILE)) ? (JSON.parse(readFileSync(join(dir, LOAD_FILE), 'utf8')) as { load1: number }).load1 : (loadavg()[0] ?? 0);
  const r = reused ? { code: 0, stderr: '' } : lab(['run', scenario, '--out', dir, '--quiet', '--allow-degraded'], process.env.LAB_HEAVY_LOCK);
  if (!existsSync(join(dir, 'results.json'))) {
    console.error(`${dir}: no results (exit ${r.code}): ${r.stderr.slice(0, 400)}`);
    return null;
  }
  if (!reused) writeFileSync(join(dir, LOAD_FILE), `${JSON.stringify({ load1 })}\n`);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    status: string;
    validity?: { verdict: string; reasons: Array<{ code: string }> };
    paths: Array<{ id: string; latencyMs: { p50: number } | null }>;
  };
  const p50 = Object.fromEntries(results.paths.map((p) => [p.id, p.latencyMs?.p50 ?? null]));
  return {
    dir,
    code: r.code,
    status: results.status,
    validity: results.validity?.verdict ?? 'unknown',
    reasons: results.validity?.reasons.map((x) => x.code) ?? [],
    load1: Math.round(load1 * 100) / 100,
    p50,
  };
}

interface CheckRecord {
  current: string;
  baseline: string;
  regressions: string[];
  message: string[];
}

function check(current: string[], baseline: string[], work: string): CheckRecord {
  const file = join(work, `baseline-${baseline.map((b) => b.split('/').pop()).join('+')}.json`);
  const made = lab(['baseline', ...baseline, '-o', file]);
  if (made.code !== 0) throw new Error(`lab baseline failed: ${made.stderr}`);
  const r = lab(['check', ...current, '--baseline', file, '--json', '--allow-degraded']);
  const report = JSON.parse(r.stdout) as { baseline: { comparisons: Array<{ pathId: string; metric: string; verdict: string; message: string }> } | null };
  const comparisons = report.baseline?.comparisons ?? [];
  return {
    current: current.map((c) => c.split('/').pop()).join('+'),
    baseline: baseline.map((b) => b.split('/').pop()).join('+'),
    regressions: comparisons.filter((c) => c.verdict === 'regression').map((c) => `${c.pathId} ${c.metric}`),
    message: comparisons.map((c) => c.message),
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.out, { recursive: true });
  const runs: Record<'a' | 'b' | 'c', RunRecord[]> = { a: [], b: [], c: [] };
  for (let i = 1; i <= args.pairs; i++) {
    for (const side of args.sides) {
      const record = runOnce(side === 'c' ? args.shifted : args.scenario, join(args.out, `${side}-${i}`));
      if (!record) throw new Error(`run ${side}-${i} failed; fix it and run again (finished runs are kept and reused)`);
      runs[side].push(record);
      console.log(`${side}-${i}: ${record.status} ${record.validity} load ${record.load1} p50 ${JSON.stringify(record.p50)}`);
    }
  }
  if (args.sides.length < 3) {
    console.log(`made runs ${args.sides.join(', ')}; run again with every side for the summary`);
    return;
  }
  const aa = runs.b.map((b, i) => check([b.dir], [runs.a[i]!.dir], args.out));
  const power = runs.c.map((c, i) => check([c.dir], [runs.a[i]!.dir], args.out));
  const half = Math.max(1, Math.floor(args.pairs / 2));
  const repeated = {
    aa: [check(runs.b.slice(0, half).map((r) => r.dir), runs.a.slice(0, half).map((r) => r.dir), args.out)],
    power: [check(runs.c.slice(0, half).map((r) => r.dir), runs.a.slice(0, half).map((r) => r.dir), args.out)],
  };
  if (args.pairs >= 2 * half && half > 1) {
    repeated.aa.push(check(runs.b.slice(half, 2 * half).map((r) => r.dir), runs.a.slice(half, 2 * half).map((r) => r.dir), args.out));
    repeated.power.push(check(runs.c.slice(half, 2 * half).map((r) => r.dir), runs.a.slice(half, 2 * half).map((r) => r.dir), args.out));
  }
  const caught = (c: CheckRecord, pathId: string): boolean => c.regressions.some((r) => r.startsWith(`${pathId} p50`));
  const summary = {
    pairs: args.pairs,
    falsePositives: aa.filter((c) => c.regressions.length > 0).length,
    powerWebrtc: power.filter((c) => caught(c, 'webrtc-h264')).length,
    powerHls: power.filter((c) => caught(c, 'hls-1s')).length,
    repeated: {
      falsePositives: repeated.aa.filter((c) => c.regressions.length > 0).length,
      checks: repeated.aa.length,
      powerWebrtc: repeated.power.filter((c) => caught(c, 'webrtc-h264')).length,
      powerHls: repeated.power.filter((c) => caught(c, 'hls-1s')).length,
    },
    degradedRuns: [...runs.a, ...runs.b, ...runs.c].filter((r) => r.validity !== 'valid').map((r) => `${r.dir.split('/').pop()}: ${r.reasons.join(', ')}`),
    runs,
    aa,
    power,
    repeatedChecks: repeated,
  };
  writeFileSync(join(args.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const lines = [
    `# Gate noise and power (${args.pairs} pairs of ${args.scenario.split('/').pop()})`,
    '',
    `- A/A false positives (single runs): **${summary.falsePositives} of ${args.pairs}**`,
    `- power, WebRTC +100 ms: **${summary.powerWebrtc} of ${args.pairs}**; HLS +1 segment: **${summary.powerHls} of ${args.pairs}**`,
    `- run-level bootstrap (${half} runs a side): A/A false positives ${summary.repeated.falsePositives} of ${summary.repeated.checks}, ` +
      `power WebRTC ${summary.repeated.powerWebrtc} of ${summary.repeated.checks}, HLS ${summary.repeated.powerHls} of ${summary.repeated.checks}`,
    `- runs judged degraded: ${summary.degradedRuns.length ? summary.degradedRuns.join('; ') : 'none'}`,
    '',
    '| pair | load (1 min) A/B/C | p50 A → B (webrtc, hls) | A/A regressions | C caught |',
    '|---|---|---|---|---|',
    ...aa.map((c, i) => {
      const [a, b, cc] = [runs.a[i]!, runs.b[i]!, runs.c[i]!];
      const f = (r: RunRecord): string => `${r.p50['webrtc-h264']?.toFixed(1)} / ${r.p50['hls-1s']?.toFixed(0)}`;
      return `| ${i + 1} | ${a.load1} / ${b.load1} / ${cc.load1} | ${f(a)} → ${f(b)} | ${c.regressions.join(', ') || 'none'} | ${power[i]!.regressions.join(', ') || 'none'} |`;
    }),
  ];
  writeFileSync(join(args.out, 'summary.md'), `${lines.join('\n')}\n`);
  console.log(lines.slice(0, 6).join('\n'));
}

try {
  main();
} catch (err) {
  console.error(`gate-noise: ${(err as Error).message}`);
  process.exitCode = 2;
}
