import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { labDefaults } from '../../core/defaults.ts';
import { UsageError } from '../../core/errors.ts';
import { findBrowser, findFfmpeg } from '../../core/find-programs.ts';
import { LabEventBus } from '../run/events.ts';
import { runScenario } from '../run/run-controller.ts';
import { planRun } from '../run/run-plan.ts';
import { stepScenario } from './bench-command.ts';
import { climbLadder, ladderMarkdown, ladderRung, ladderSvg, rungScenario, type Ladder, type LadderKind, type LadderRung } from './load-ladder.ts';
import { ProcessSampler } from './process-sampler.ts';

export interface LadderOptions {
  rungs: number[];
  kind: LadderKind;
  bitrateKbps: number;
  /** Seconds measured per rung (after a 2 s warm-up). */
  duration: number;
  out?: string;
  log?: (line: string) => void;
}

/**
 * `lab bench --ladder 0,10,50,…`: one run per rung (load-ladder.ts), each in this process with the lab's CPU sampled,
 * stopping at the first degraded or failed rung; writes ladder.json, ladder.md and ladder.svg.
 */
export async function ladderCommand(options: LadderOptions): Promise<Ladder> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!['webrtc', 'hls'].includes(options.kind)) throw new UsageError(`--ladder-kind: "${options.kind}" is not allowed; allowed: webrtc, hls`);
  const out = resolve(options.out ?? join(labDefaults.runsDir, `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-ladder`));
  // Every rung's scenario is validated before the first one starts.
  const scenarios = new Map(options.rungs.map((n) => [n, stepScenario(rungScenario(options.kind, n, options.bitrateKbps, options.duration))]));
  await mkdir(out, { recursive: true });
  const programs = { ffmpeg: findFfmpeg().path, browser: (await findBrowser()).path };
  const ladder = await climbLadder(options.kind, options.bitrateKbps, options.rungs, async (n): Promise<LadderRung> => {
    const loadAverage = loadavg()[0]!;
    log(`ladder: ${n} ${options.kind} load viewers (load average ${loadAverage.toFixed(2)})…`);
    const sampler = new ProcessSampler();
    const bus = new LabEventBus();
    bus.once('phase', () => sampler.start());
    const { results } = await runScenario({ plan: planRun(scenarios.get(n)!), runDir: join(out, `rung-${n}`), ffmpegPath: programs.ffmpeg, browserPath: programs.browser, bus });
    const rung = ladderRung(n, results, sampler.stop(), loadAverage);
    log(`  glass p50 ${rung.glassP50Ms} ms, p95 ${rung.glassP95Ms} ms, ${rung.glassFps} fps; server CPU ${rung.serverCpuPercent} %; ${rung.error ?? rung.verdict}${rung.reasons.length ? ` (${rung.reasons.join(', ')})` : ''}`);
    return rung;
  });
  await writeFile(join(out, 'ladder.json'), `${JSON.stringify(ladder, null, 2)}\n`);
  await writeFile(join(out, 'ladder.svg'), ladderSvg(ladder));
  const markdown = ladderMarkdown(ladder);
  await writeFile(join(out, 'ladder.md'), markdown);
  process.stdout.write(`${markdown}\nladder: ${join(out, 'ladder.md')}\n`);
  return ladder;
}
