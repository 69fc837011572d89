import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { FfmpegPipeline } from '../../ingest/ffmpeg/ffmpeg-pipeline.ts';
import type { PipelineOutput } from '../../ingest/ffmpeg/ffmpeg-args.ts';
import { BrowserSession } from '../browser/browser-session.ts';
import { buildPlayerBundles, playerRoutes } from '../browser/player-bundles.ts';
import { Viewer } from '../browser/viewer.ts';
import { browserForViewer, type BrowserEndpoint } from '../browser/remote-browsers.ts';
import { ViewerCollector } from '../collect/viewer-collector.ts';
import { LayerTimeline } from '../collect/layer-timeline.ts';
import { HostCpuSampler, type CpuSample } from '../collect/host-cpu.ts';
import { LoopStallMonitor } from '../collect/loop-stalls.ts';
import { withValidity } from '../validity/judge.ts';
import { labDefaults } from '../../core/defaults.ts';
import { InterruptedError, LabError, LabTimeoutError } from '../../core/errors.ts';
import type { LabEventBus, PathProgress } from './events.ts';
import { buildPathResults } from './build-results.ts';
import { environmentInfo } from '../results/environment.ts';
import { RESULTS_SCHEMA_VERSION, type Results, type RunStatus, type SourceInfo } from '../results/types.ts';
import { NetworkSession, withNetworkResults } from './network-session.ts';
import { LabServer, type RouteHandler } from '../server/lab-server.ts';
import { median } from '../../core/stats/quantiles.ts';
import { SampleBuffer } from '../../core/stats/summary.ts';
import { programVersion } from '../../core/find-programs.ts';
import { FailureSignal } from '../../core/failure-signal.ts';
import { makeTempDir, removeTempDir } from '../../core/process/process-registry.ts';
import { runState } from '../../core/process/run-state.ts';
import { describeSwept, sweepOrphans } from '../../core/process/orphan-sweep.ts';
import { reserveResultsSpace, SamplesFile, writeResultsFile, writeResultsFileSync } from '../results/results-writer.ts';
import { createPathDriver } from './path-drivers/create-path-driver.ts';
import { ResourceStack } from '../../core/resource-stack.ts';
import { startLoadViewers, withLoadResults } from '../load/run-load.ts';
import type { LoadViewers } from '../load/load-viewers.ts';
import type { RunPlan } from './run-plan.ts';
import { sourceAudioOffsetMs } from '../scenario/audio-settings.ts';

export interface RunOptions {
  plan: RunPlan;
  runDir: string;
  ffmpegPath: string;
  browserPath: string;
  bus: LabEventBus;
  signal?: AbortSignal;
  /** Where viewers run (remote-browsers.ts: dealt round-robin per path); default all local. */
  browsers?: BrowserEndpoint[];
  /** A non-loopback address the lab also serves on, for remote viewers (--listen, checked by checkListenAddress). */
  listen?: string;
}

export interface RunOutcome {
  results: Results;
  runDir: string;
}

/**
 * One run, start to finish: relays, origin and signaling on one loopback server, Chromium, the one ffmpeg fed by
 * the clock source, viewers joining per the join policy, a drain loop until every viewer has measured its
 * duration, then everything closed (in every ending) and results.json written — marked failed or interrupted
 * when the run did not complete, with whatever was measured until then.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const { plan, runDir, bus } = options;
  const { scenario } = plan;
  const startedMs = Date.now();
  const failure = new FailureSignal(options.signal);
  const resources = new ResourceStack();
  const collectors = new Map<string, ViewerCollector[]>();
  const layerTimelines = new Map<string, LayerTimeline>();
  const pathLatencies = new Map(plan.paths.map((p) => [p.id, new SampleBuffer()]));
  let pipeline: FfmpegPipeline | undefined;
  let network: NetworkSession | null = null;
  let browserVersion = 'not started';
  let lastJoinMs = startedMs;
  let drainAll: () => Promise<void> = async () => {};
  let load: LoadViewers | undefined;

  // What a killed lab left running (janus, turnserver, ffmpeg, Chromium…) is ended before anything starts.
  const swept = describeSwept(await sweepOrphans());
  if (swept.length) bus.emit('warning', `ended what a killed lab left behind: ${swept.join('; ')}`);
  runState.setRunId(basename(runDir));
  await mkdir(runDir, { recursive: true });
  const reserve = await reserveResultsSpace(runDir); // a full disk fails here, before anything starts
  const csv = new SamplesFile(runDir, (err) => failure.fail(err)); // ENOSPC later fails the run, results kept
  const ffmpegVersion = programVersion(options.ffmpegPath);

  const measure = async () => {
    bus.emit('phase', 'starting');
    const mediaDir = await makeTempDir(`latency-lab-${scenario.name}-`);
    resources.defer('media folder', () => removeTempDir(mediaDir));
    // Paths with a `network` get a namespace, a veth and a Chromium of their own (see harness/network).
    network = await NetworkSession.open({ plan, browserPath: options.browserPath, failure, runStartMs: startedMs });
    const net = network;
    if (net) resources.defer('network namespaces', () => net.close());

    const server = new LabServer();
    const outputs: PipelineOutput[] = [];
    const drivers = plan.paths.map(createPathDriver);
    const setupContext = { mediaDir, join: scenario.join, video: scenario.video, failure, resources, route: (h: RouteHandler) => void server.use(h), hostAddresses: options.listen ? ['127.0.0.1', options.listen] : ['127.0.0.1'] };
    for (const driver of drivers) {
      const id = driver.path.id;
      outputs.push(...(await driver.setup(net?.has(id) ? { ...setupContext, hostAddresses: net.hostAddresses(id), peerAddresses: net.peerAddresses(id) } : setupContext)));
    }

    // Deferred before it is awaited: a Chromium still launching when the run fails is closed too, never leaked.
    const launching = BrowserSession.launch(options.browserPath);
    resources.defer('Chromium', async () => (await launching.catch(() => undefined))?.close());
    const [bundles, session] = await failure.race(Promise.all([buildPlayerBundles(), launching]));
    session.on('died', (err) => failure.fail(err));
    browserVersion = await session.version();

    server.use(await playerRoutes(bundles));
    resources.defer('lab server', () => server.close()); // before listen(): a stop while it binds still closes it
    const serverUrl = await failure.race(server.listen('127.0.0.1'));
    if (net) await failure.race(net.listen(server));
    const listenUrl = options.listen ? await failure.race(server.listenAlso(options.listen)) : serverUrl; // for remote pages

    const window = { warmupMs: scenario.warmup * 1000, durationMs: scenario.duration * 1000, runStartMs: startedMs, timelineBinMs: labDefaults.timelineBinMs, clockBoundMs: scenario.clockOffsetBoundMs, frameIntervalMs: 1000 / scenario.video.fps };
    const viewers = await failure.race(
      Promise.all(
        drivers.flatMap((driver) =>
          Array.from({ length: driver.path.viewers }, async (_, i) => {
            const path = driver.path;
            // Pages are opened before ffmpeg starts: page creation is the heaviest browser work.
            const where = net?.has(path.id) ? undefined : browserForViewer(options.browsers, i);
            const url = net?.serverUrl(path.id) ?? (where?.kind === 'local' ? serverUrl : listenUrl);
            const viewer = await Viewer.prepare(net?.browser(path.id) ?? session, url, driver.playerConfig(url, i), where);
            resources.defer(`viewer ${path.id}/${i}`, () => viewer.close());
            viewer.on('died', (err) => failure.fail(err)); // a crashed renderer fails the run at once, naming the viewer
            // A Chromium the lab started here (namespaced or not) reads this host's clock: its offset estimate is a check,
            // not applied (collect/clock-offset.ts); only a viewer with a clock of its own is corrected and bounded.
            const layers = path.kind === 'webrtc' && path.params.layers ? new LayerTimeline(path.params.layers, startedMs, () => driver.relayLayerChanges?.(i)) : undefined;
            if (layers) layerTimelines.set(`${path.id}/${i}`, layers); // a simulcast viewer: its layers, from its frames' sizes
            const collector = new ViewerCollector(i, { ...window, clockSameHost: !viewer.ownClock }, (wall, latency, width, height) => {
              layers?.frame(wall, latency, width, height);
              pathLatencies.get(path.id)!.push(latency);
              csv.write(`${path.id},${i},${wall.toFixed(1)},${latency.toFixed(2)}\n`);
            });
            const list = collectors.get(path.id) ?? [];
            list[i] = collector;
            collectors.set(path.id, list);
            return { viewer, collector, driver, pathId: path.id };
          }),
        ),
      ),
    );

    const starting = FfmpegPipeline.start({
      ffmpegPath: options.ffmpegPath,
      video: scenario.video,
      outputs,
      gop: plan.gop,
      audioOffsetMs: sourceAudioOffsetMs(scenario.audio, scenario.paths) ?? 0,
      readyTimeoutMs: labDefaults.ffmpegReadyTimeoutMs,
      killTimeoutMs: labDefaults.killTimeoutMs,
    });
    resources.defer('ffmpeg', async () => (await starting.catch(() => undefined))?.close()); // closed even if still starting
    pipeline = await failure.race(starting);
    const running = pipeline;
    running.on('died', (err) => failure.fail(err));

    // Load viewers (paths' `loadViewers`) connect first, in worker processes; the glass viewers are timed beside them.
    load = await startLoadViewers(drivers, serverUrl, failure, labDefaults.killTimeoutMs, (launching) => {
      resources.defer('load viewers', async () => (await launching.catch(() => undefined))?.close());
    });

    bus.emit('phase', 'joining');
    await failure.race(
      Promise.all(
        viewers.map(async ({ viewer, collector, driver }) => {
          await driver.ready(failure);
          await failure.race(viewer.start());
          collector.joinedAt = Date.now();
          lastJoinMs = Math.max(lastJoinMs, collector.joinedAt);
        }),
      ),
    );
    net?.startSchedules(failure); // schedule times count from here: every viewer has joined

    drainAll = async () => {
      await Promise.all(viewers.map(async (v) => v.collector.add(await v.viewer.drain())));
    };
    const expectedSeconds = (lastJoinMs - startedMs) / 1000 + scenario.warmup + scenario.duration + 2;
    const deadline = lastJoinMs + labDefaults.firstFrameTimeoutMs + (scenario.warmup + scenario.duration) * 1000 + 30_000;
    let phase: 'warm-up' | 'measuring' = 'warm-up';
    bus.emit('phase', phase);
    while (!viewers.every((v) => v.collector.done)) {
      await failure.sleep(labDefaults.drainIntervalMs);
      await failure.race(drainAll());
      const now = Date.now();
      for (const v of viewers) {
        // A WebRTC viewer that could not connect is a result (its join block), not the end of the run.
        if (v.collector.connectionFailed) continue;
        if (v.collector.error) throw new LabError(`${v.pathId} viewer ${v.collector.viewer}: ${v.collector.error}`);
        if (v.collector.firstFrameWallMs === null && now - (v.collector.joinedAt ?? now) > labDefaults.firstFrameTimeoutMs) {
          if (v.collector.giveUp(`not connected within ${labDefaults.firstFrameTimeoutMs / 1000} s of joining`)) continue;
          throw new LabTimeoutError(`${v.pathId} viewer ${v.collector.viewer}: no frame within ${labDefaults.firstFrameTimeoutMs / 1000} s of joining; page errors: ${v.viewer.pageErrors.join('; ') || 'none'}`);
        }
      }
      if (phase === 'warm-up' && viewers.every((v) => v.collector.connectionFailed || (v.collector.measureFrom !== null && now >= v.collector.measureFrom))) {
        phase = 'measuring';
        bus.emit('phase', phase);
      }
      if (now > deadline) throw new LabTimeoutError(`the run did not finish measuring by its deadline (${Math.round((deadline - startedMs) / 1000)} s)`);
      bus.emit('progress', { phase, elapsedSeconds: (now - startedMs) / 1000, expectedSeconds, paths: progressOf(plan, collectors) });
    }
  };

  let status: RunStatus = 'complete';
  let error: string | undefined;
  const cpu = new HostCpuSampler().start(); // host CPU through the run, for the validity verdict
  const stalls = new LoopStallMonitor().start(); // and the lab's own event loop

  const sourceInfo = (): SourceInfo | null => {
    const pacing = pipeline?.pacing();
    if (!pacing) return null;
    const { lateMs } = pacing;
    return { fps: scenario.video.fps, framesSent: pipeline?.framesSent ?? 0, gop: plan.gop, pacing: { lateMsP50: round2(lateMs.p50), lateMsP99: round2(lateMs.p99), lateMsMax: round2(lateMs.max), backpressured: pacing.backpressured, driftMs: round2(pacing.driftMs ?? 0), elapsedSeconds: round2(pacing.elapsedSeconds ?? 0) } };
  };
  /** results.json from what was measured so far, judged (can these figures be trusted? see harness/validity). */
  const assemble = (status: RunStatus, error: string | undefined, source: SourceInfo | null, cpuSamples: CpuSample[], ffmpegVersion: string): Results => {
    const endedMs = Date.now();
    const results: Results = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      status,
      ...(error ? { error } : {}),
      scenario,
      environment: environmentInfo({ path: options.ffmpegPath, version: ffmpegVersion }, { path: options.browserPath, version: browserVersion }),
      startedAt: new Date(startedMs).toISOString(),
      endedAt: new Date(endedMs).toISOString(),
      wallSeconds: round2((endedMs - startedMs) / 1000),
      joinWaitSeconds: round2((lastJoinMs - startedMs) / 1000),
      source,
      paths: withLoadResults(withNetworkResults(buildPathResults(plan, collectors, pathLatencies, layerTimelines), network), load),
    };
    return { ...results, ...withValidity(results, { cpu: cpuSamples, pacing: pipeline?.pacingHistory ?? [], loopStalls: stalls.stalls }) };
  };
  // A second Ctrl-C (or a crash) exits without closing: 'exit' still runs this synchronously, so what was drained
  // until then is kept (the exit hook kills the children).
  let ffmpegVersionText = '';
  void ffmpegVersion.then((v) => (ffmpegVersionText = v));
  const onExit = (code: number) => {
    const why = code === 130 ? ['interrupted', 'forced quit (second Ctrl-C): figures up to the last drain, nothing closed cleanly'] as const : ['failed', `the lab exited (code ${code}) before the run ended; figures up to the last drain`] as const;
    try {
      writeResultsFileSync(runDir, assemble(why[0], why[1], sourceInfo(), cpu.stop(), ffmpegVersionText), reserve);
    } catch {
      // exiting anyway: nothing more can be kept
    }
  };
  process.on('exit', onExit);
  const measuring = measure();
  try {
    await failure.race(measuring);
  } catch (err) {
    status = err instanceof InterruptedError ? 'interrupted' : 'failed';
    error = (err as Error).message;
    // measure() may be inside a step that does not race the failure (a relay starting): let it return first, so what
    // it opens is on the stack before closing begins (anything later is closed at once by the stack).
    let settled: NodeJS.Timeout | undefined;
    await Promise.race([measuring.catch(() => {}), new Promise((resolve) => (settled = setTimeout(resolve, labDefaults.stepSettleTimeoutMs)))]);
    clearTimeout(settled);
  }
  bus.emit('phase', 'stopping');
  if (status !== 'complete') {
    // Keep what the viewers measured since the last drain (best effort: the browser may be what failed).
    await Promise.race([drainAll().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
  const source = sourceInfo();
  await resources.closeAll((label, err) => bus.emit('warning', `closing ${label}: ${(err as Error).message}`));
  const cpuSamples = cpu.stop();
  stalls.stop();
  await csv.close();

  const results = assemble(status, error, source, cpuSamples, await ffmpegVersion);
  process.off('exit', onExit);
  const written = await writeResultsFile(runDir, results, reserve); // shortened if the disk is full
  bus.emit('phase', 'done');
  return { results: written, runDir };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function progressOf(plan: RunPlan, collectors: Map<string, ViewerCollector[]>): PathProgress[] {
  return plan.paths.map((path) => {
    const list = collectors.get(path.id) ?? [];
    return {
      id: path.id,
      framesMeasured: list.reduce((n, c) => n + c.framesMeasured, 0),
      liveP50: median(list.flatMap((c) => c.recent)),
      viewersPlaying: list.filter((c) => c.firstFrameWallMs !== null).length,
      viewers: path.viewers,
    };
  });
}
