import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDefaults } from '../../core/defaults.ts';
import { LabError, UsageError } from '../../core/errors.ts';
import { LabEventBus } from '../run/events.ts';
import type { Results } from '../results/types.ts';
import { runScenario } from '../run/run-controller.ts';
import { planRun } from '../run/run-plan.ts';
import { scenarioSchema } from '../scenario/schema.ts';
import { expandScenario } from '../scenario/expand-scenario.ts';
import { checkScenario } from '../scenario/check-scenario.ts';
import { machineCapacity, writeCapacityRecord } from '../scenario/machine-capacity.ts';
import type { Scenario } from '../scenario/schema.ts';
import { findBrowser, findFfmpeg } from '../../core/find-programs.ts';
import { benchMarkdown, benchSchema, benchTargets, ladderCapacity, probeFigures, rssGrowthMbPerHour, scalingStep, type BenchReport, type ScalingStep } from './bench-report.ts';
import { ProcessSampler } from './process-sampler.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchOptions {
  out?: string;
  quick?: boolean;
  /** Minutes of soak for the memory figure (0 = skip). */
  soak?: number;
  log?: (line: string) => void;
}

/**
 * A long `lab run` in a process of its own (so nothing the bench did before sits in its heap), its resident memory
 * read from /proc every 10 s.
 */
async function soakRun(minutes: number, out: string): Promise<{ results: Results; rssSeries: Array<{ t: number; labRssMb: number }> }> {
  await mkdir(out, { recursive: true });
  const scenarioFile = join(out, 'soak.yaml');
  await writeFile(
    scenarioFile,
    `name: bench-soak\nduration: ${minutes * 60}\nwarmup: 2\nvideo: { preset: 360p }\npaths:\n  - kind: hls\n    segmentDuration: 1\n  - kind: webrtc\n`,
  );
  const child = spawn(process.execPath, [join(ROOT, 'bin/lab.js'), 'run', scenarioFile, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const started = Date.now();
  const rssSeries: Array<{ t: number; labRssMb: number }> = [];
  const timer = setInterval(() => {
    try {
      const rssPages = Number(readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1]);
      rssSeries.push({ t: (Date.now() - started) / 1000, labRssMb: (rssPages * 4096) / 1e6 });
    } catch {
      /* exited */
    }
  }, 10_000);
  const code = await new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
  clearInterval(timer);
  if (code !== 0) throw new LabError(`bench: the soak run exited ${code}`);
  return { results: JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results, rssSeries };
}

/** Runs `lab run <scenario>` as users do (a separate process) and returns its wall time and results. */
async function timedCliRun(scenario: string, out: string): Promise<{ wallSeconds: number; results: Results }> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolveExit) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/lab.js'), 'run', scenario, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', resolveExit);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  // 98/99: thresholds inconclusive or failed; the run itself completed and wrote its results.
  if (code !== 0 && code !== 98 && code !== 99) throw new LabError(`bench: lab run ${scenario} exited ${code}`);
  return { wallSeconds, results: JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results };
}

/**
 * A ladder step's scenario, validated like any other but without the viewer guard: the guard's capacity is what
 * the ladder measures, so a step past it must still run.
 */
export function stepScenario(raw: unknown): Scenario {
  const points = expandScenario(scenarioSchema.parse(raw), 'bench step');
  const problems = points.flatMap((point) => checkScenario(point, { capacity: null }));
  if (problems.length) throw new UsageError('bench step scenario is invalid:', problems);
  return points[0]!.scenario;
}

async function sampledRun(name: string, viewers: number, duration: number, out: string, programs: { ffmpeg: string; browser: string }) {
  const scenario = stepScenario({
    name,
    duration,
    warmup: 2,
    video: { preset: '360p' },
    join: 'steady',
    viewers,
    paths: [{ kind: 'hls', segmentDuration: 1 }, { kind: 'webrtc', codec: 'h264' }],
  });
  const sampler = new ProcessSampler();
  const bus = new LabEventBus();
  bus.once('phase', () => sampler.start());
  const { results } = await runScenario({ plan: planRun(scenario), runDir: out, ffmpegPath: programs.ffmpeg, browserPath: programs.browser, bus });
  return { results, cpu: sampler.stop(), rssSeries: sampler.rssSeries };
}

/**
 * `lab bench`: measures the instrument itself — probe cost per frame, source pacing and drift, how viewers scale on
 * this machine, the run's fixed overhead, and (with --soak) memory growth — and writes bench.json + bench.md.
 */
export async function benchCommand(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick === true;
  const out = resolve(options.out ?? join(labDefaults.runsDir, `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-bench`));
  await mkdir(out, { recursive: true });
  const programs = { ffmpeg: findFfmpeg().path, browser: (await findBrowser()).path };
  const startedAt = new Date().toISOString();

  log('bench: default scenario as a user runs it (overhead, probe, pacing)…');
  const def = await timedCliRun(join(ROOT, 'scenarios/default.yaml'), join(out, 'default'));
  const overhead = {
    wallSeconds: Math.round((def.wallSeconds - def.results.scenario.duration - def.results.joinWaitSeconds) * 10) / 10,
    runWallSeconds: Math.round(def.wallSeconds * 10) / 10,
    durationSeconds: def.results.scenario.duration,
    joinWaitSeconds: def.results.joinWaitSeconds,
  };

  // The whole ladder runs whatever any step gives (and past lab run's viewer guard): it is what measures capacity.
  const steps: ScalingStep[] = [];
  const runs: Results[] = [def.results];
  const ladder = quick ? [1, 2, 4, 6, 8] : [1, 2, 4, 6, 8, 12, 16];
  for (const n of ladder) {
    log(`bench: scaling, ${n} viewer(s) per path (HLS 1 s + WebRTC, 360p30)…`);
    try {
      const { results, cpu } = await sampledRun(`bench-scaling-${n}`, n, quick ? 10 : 20, join(out, `scaling-${n}`), programs);
      runs.push(results);
      steps.push(scalingStep(n, results, cpu, steps[0]));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      steps.push({ viewersPerPath: n, minFps: null, paths: [], cpu: {}, pacingP99Ms: null, verdict: null, reasons: [], error: (err as Error).message.split('\n')[0], holds: false });
    }
    const step = steps[steps.length - 1]!;
    const verdict = step.verdict === 'degraded' ? `, degraded (${step.reasons.join(', ')})` : step.verdict ? `, ${step.verdict}` : '';
    log(`  min fps ${step.minFps}, ${step.paths.map((p) => `${p.id} p50 ${p.p50} ms`).join(', ')}${verdict}${step.error ? `, ${step.error}` : ''} → ${step.holds ? 'holds' : 'does not hold'}`);
  }
  const { maxViewers, firstFailing } = ladderCapacity(steps);

  let rssGrowth: number | null = null;
  const soak = options.soak ?? 0; // off unless asked for, --quick included
  if (soak > 0) {
    log(`bench: soak, one \`lab run\` of ${soak} min in its own process (memory growth)…`);
    const soaked = await soakRun(soak, join(out, 'soak'));
    runs.push(soaked.results);
    rssGrowth = rssGrowthMbPerHour(soaked.rssSeries);
  }

  // The instrument's own figures come from runs the machine could hold (the default run, holding scaling steps,
  // the soak); an overloaded step starves every process, the probe and the source included, and says so in its row.
  const held = runs.filter((r, i) => i === 0 || steps.find((s) => `bench-scaling-${s.viewersPerPath}` === r.scenario.name)?.holds);
  const pacing = held.map((r) => r.source?.pacing).filter((p) => p !== undefined);
  const driftPerMin = held
    .map((r) => r.source?.pacing)
    .filter((p) => p?.elapsedSeconds)
    .map((p) => ((p!.driftMs ?? 0) / p!.elapsedSeconds!) * 60);
  const env = def.results.environment;
  const partial = {
    schemaVersion: 1 as const,
    quick,
    startedAt,
    machine: { cpus: cpus().length, model: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, browser: env.browser.version, ffmpeg: env.ffmpeg.version },
    probe: probeFigures(held),
    source: {
      pacingJitterP99Ms: Math.max(0, ...pacing.map((p) => p.lateMsP99)),
      driftMsPerMin: Math.round(Math.max(0, ...driftPerMin) * 100) / 100,
    },
    scaling: { steps, maxViewers, firstFailing },
    overhead,
    memory: { soakMinutes: soak, rssGrowthMbPerHour: rssGrowth },
  };
  const report = benchSchema.parse({ ...partial, targets: benchTargets(partial) });
  await writeFile(join(out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  // This machine's capacity for lab run's viewer guard (harness/scenario/machine-capacity.ts). When not even one
  // viewer per path held, the machine was too busy to measure anything: the previous figure (or the default) stays.
  const ladderText = firstFailing === null ? `every step held (up to ${maxViewers} per path)` : `held up to ${maxViewers} viewers per path, stopped holding at ${firstFailing} per path`;
  if (maxViewers > 0) {
    const capacityFile = writeCapacityRecord({ maxViewersPerPath: maxViewers, firstFailingViewersPerPath: firstFailing, quick, benchFile: join(out, 'bench.json') });
    log(`bench: ${ladderText}; lab run's viewer guard now uses ${maxViewers * 2} viewers at 360p30 (${capacityFile})`);
  } else {
    log(`bench: ${ladderText}; no step held, so lab run's viewer guard keeps ${machineCapacity().origin}`);
  }
  const markdown = benchMarkdown(report);
  await writeFile(join(out, 'bench.md'), markdown);
  process.stdout.write(`${markdown}\nbench.json: ${join(out, 'bench.json')}\n`);
  return report;
}
