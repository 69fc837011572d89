import { writeFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { scenarioJsonSchemaText } from '../harness/scenario/json-schema.ts';
import { showReport, writeReport } from '../reports/report-commands.ts';
import { screenshotReport } from '../reports/report-screenshot.ts';
import { labDefaults } from '../core/defaults.ts';
import { LabError, UsageError } from '../core/errors.ts';
import { benchCommand } from '../harness/bench/bench-command.ts';
import { ladderCommand } from '../harness/bench/ladder-command.ts';
import { parseLadder, type LadderKind } from '../harness/bench/load-ladder.ts';
import { labVersion } from '../harness/results/environment.ts';
import { registerGateCommands } from './gate-commands.ts';
import { cleanOrphans, doctor, doctorPassed, formatChecks } from './doctor.ts';
import { runCommand } from './run-command.ts';
import { calibrateCommand } from './calibrate-command.ts';

const program = new Command();
program
  .name('lab')
  .description('Glass-to-glass latency lab: one ffmpeg source → HLS + WebRTC → headless Chromium viewers timing every frame')
  .version(labVersion())
  .exitOverride()
  .showHelpAfterError();

program
  .command('run')
  .description('run a scenario and write results.json + samples.csv')
  .argument('[scenario]', 'scenario YAML file', 'scenarios/default.yaml')
  .option('-o, --out <dir>', 'results folder (default runs/<UTC-stamp>-<name>/)')
  .option('-d, --duration <seconds>', 'override the scenario duration (seconds measured per viewer)')
  .option('-r, --repeat <n>', 'run n times and keep the median run (overrides the scenario\'s repeat)')
  .option('-q, --quiet', 'no progress output')
  .option('--allow-degraded', 'judge thresholds even when the run is degraded (default: exit 98, inconclusive)')
  .option('--browser <url>', 'where viewers run, repeatable, dealt round-robin per path: local, ws://host:port[?token=…] (CDP, e.g. browserless) or http://host:port (a Chrome debugging port)', (v: string, all: string[] = []) => [...all, v])
  .option('--listen <address>', 'also serve player pages, media and signaling on this address of this host, for remote browsers (default: 127.0.0.1 only)')
  .action(async (scenario: string | undefined, options) => {
    process.exitCode = await runCommand(scenario, options);
  });

program
  .command('report')
  .description('regenerate a run\'s self-contained report.html from its saved results only')
  .argument('<run>', 'run folder or its results.json')
  .option('-o, --out <file>', 'write the report here (default: report.html in the run folder)')
  .option('--screenshot <png>', 'also save a 1280 px wide PNG of the report\'s top (rendered in headless Chromium)')
  .action(async (run: string, options: { out?: string; screenshot?: string }) => {
    const file = await writeReport(run, options.out);
    process.stdout.write(`${file}\n`);
    if (options.screenshot) {
      await screenshotReport(file, options.screenshot);
      process.stdout.write(`${options.screenshot}\n`);
    }
  });

program
  .command('show-report')
  .description('serve the latest (or named) run\'s report on 127.0.0.1 and print its URL (Ctrl-C to stop)')
  .argument('[run]', 'run folder, folder name or scenario name (default: the latest run under runs/)')
  .option('--no-open', 'do not try to open a browser')
  .action(async (run: string | undefined, options: { open: boolean }) => {
    const shown = await showReport(run, labDefaults.runsDir, { open: options.open });
    process.stdout.write(`${shown.url}\n(serving ${shown.file}; Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await shown.close();
  });

program
  .command('bench')
  .description('measure the instrument: probe cost, source pacing, viewer scaling, run overhead, memory growth')
  .option('-o, --out <dir>', 'where bench.json, bench.md and the runs go (default runs/<stamp>-bench)')
  .option('--quick', 'fewer, shorter steps (under 5 minutes)')
  .option('--soak <minutes>', 'soak this long for the memory-growth figure (default 0: skipped)', '0')
  .option('--ladder <counts>', 'instead: the load ladder, one run per rung of N load viewers (e.g. 0,10,50,100,200,500), stopping at the first degraded run')
  .option('--ladder-kind <kind>', 'the ladder\'s path: webrtc or hls', 'webrtc')
  .option('--ladder-bitrate <kbps>', 'the ladder\'s video bitrate (kb/s)', '250')
  .option('--ladder-duration <seconds>', 'seconds measured per rung', '10')
  .action(async (options: { out?: string; quick?: boolean; soak: string; ladder?: string; ladderKind: string; ladderBitrate: string; ladderDuration: string }) => {
    const soak = Number(options.soak);
    if (!Number.isFinite(soak) || soak < 0) throw new UsageError(`--soak: must be a number of minutes ≥ 0, got "${options.soak}"`);
    if (options.ladder !== undefined) {
      const bitrateKbps = Number(options.ladderBitrate);
      const duration = Number(options.ladderDuration);
      if (!Number.isInteger(bitrateKbps) || bitrateKbps < 50) throw new UsageError(`--ladder-bitrate: must be whole kb/s ≥ 50, got "${options.ladderBitrate}"`);
      if (!Number.isFinite(duration) || duration <= 0) throw new UsageError(`--ladder-duration: must be seconds > 0, got "${options.ladderDuration}"`);
      await ladderCommand({ rungs: parseLadder(options.ladder), kind: options.ladderKind as LadderKind, bitrateKbps, duration, out: options.out });
      return;
    }
    await benchCommand({ out: options.out, quick: options.quick, soak });
  });

program
  .command('schema')
  .description('print (or write) the scenario JSON Schema for editors, generated from the validator')
  .option('-o, --out <file>', 'write to this file instead of stdout')
  .action(async (options: { out?: string }) => {
    const text = scenarioJsonSchemaText();
    if (options.out) await writeFile(options.out, text);
    else process.stdout.write(text);
  });

program
  .command('doctor')
  .description('check ffmpeg, the browser and node; exits non-zero with install hints when something is missing')
  .option('--clean', 'instead: end what killed runs left running (janus, turnserver, ffmpeg, Chromium, …) and remove their temporary folders')
  .action(async (options: { clean?: boolean }) => {
    if (options.clean) {
      const done = await cleanOrphans();
      process.stdout.write(`${done.length ? done.join('\n') : 'nothing left behind by a killed run'}\n`);
      return;
    }
    const checks = await doctor();
    process.stdout.write(`${formatChecks(checks)}\n`);
    process.exitCode = doctorPassed(checks) ? 0 : 1;
  });

program
  .command('calibrate')
  .description('check the instrument: run each path kind with and without an injected one-way delay and print how much of it was measured')
  .argument('[scenario]', 'scenario with reference/delayed path pairs', 'scenarios/impairment-check.yaml')
  .option('--delay <ms>', 'one-way downlink delay to inject (default: the scenario\'s, 100 ms)')
  .option('-r, --repeat <n>', 'runs per kind; the verdict uses the median rise', '1')
  .option('-d, --duration <seconds>', 'override the scenario duration')
  .option('-o, --out <dir>', 'results folder (default runs/calibrate-<UTC-stamp>/)')
  .option('-q, --quiet', 'no progress output')
  .action(async (scenario: string | undefined, options) => {
    process.exitCode = await calibrateCommand(scenario, options);
  });

registerGateCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof LabError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}

// Every command closes what it opened before it returns. Should something still hold the event loop (a bug), name it
// and exit instead of hanging a terminal or a CI job; the exit hook still kills every registered child. The timer
// itself does not keep the process alive.
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
  process.stderr.write(`warning: ${open.join(', ') || 'something'} still open ${labDefaults.exitGraceMs / 1000} s after the command ended; exiting\n`);
  process.exit();
}, labDefaults.exitGraceMs).unref();
