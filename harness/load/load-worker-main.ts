/**
 * A load worker process: viewers without a browser — receive-only WebRTC peers (webrtc-load-peer.ts) and HLS
 * clients (hls-load-client.ts) — all started at once.
 * stdin: one JSON line, the LoadSessionSpec[] to run; then stdin stays open, and its end (the lab's close()) stops
 * every session, prints a final report and exits. stdout: `load-report <json>` (LoadWorkerReport) every second.
 * The lab runs one worker per core (load-viewers.ts), so the peers' SRTP work is spread over the machine, not
 * queued on the lab's event loop next to its relay.
 */
import { createInterface } from 'node:readline';
import { addCounts, emptyCounts, REPORT_PREFIX, type LoadPathCounts, type LoadSessionSpec, type LoadWorkerReport } from './load-types.ts';
import { WebrtcLoadPeer } from './webrtc-load-peer.ts';
import { HlsLoadClient } from './hls-load-client.ts';

const REPORT_INTERVAL_MS = 1000;
const peers: Array<WebrtcLoadPeer | HlsLoadClient> = [];
let timer: NodeJS.Timeout | undefined;
let stopping = false;

function report(final: boolean): void {
  const paths: Record<string, LoadPathCounts> = {};
  for (const peer of peers) {
    const segments = peer instanceof HlsLoadClient ? peer.segments : 0;
    const receiving = peer.packets > 0 || segments > 0;
    const counts: LoadPathCounts = {
      sessions: 1,
      started: peer.signalled ? 1 : 0,
      connected: peer.state === 'connected' || (peer.state === 'closed' && receiving) ? 1 : 0,
      failed: peer.state === 'failed' ? 1 : 0,
      receiving: receiving ? 1 : 0,
      rejoins: peer instanceof WebrtcLoadPeer ? peer.rejoins : 0,
      packets: peer.packets,
      segments,
      bytes: peer.bytes,
      errors: peer.error ? [peer.error] : final && peer instanceof WebrtcLoadPeer ? webrtcDiagnoses(peer) : [],
    };
    paths[peer.spec.pathId] = addCounts(paths[peer.spec.pathId] ?? emptyCounts(), counts);
  }
  const cpu = process.cpuUsage();
  const line: LoadWorkerReport = { wallMs: Date.now(), paths, cpuMs: Math.round((cpu.user + cpu.system) / 1000), final };
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(line)}\n`);
}

/** A WebRTC session's silence: where its packets stopped when it ended silent, or before it rejoined. */
function webrtcDiagnoses(peer: WebrtcLoadPeer): string[] {
  const silence = peer.silence();
  if (silence) return [silence];
  return peer.firstSilence ? [`rejoined ${peer.rejoins}× (first attempt: ${peer.firstSilence})`] : [];
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  report(true); // before closing: what the sessions received while they ran
  await Promise.all(peers.map((p) => p.close()));
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.once('line', (line) => {
  const specs = JSON.parse(line) as LoadSessionSpec[];
  for (const spec of specs) peers.push(spec.kind === 'hls' ? new HlsLoadClient(spec) : new WebrtcLoadPeer(spec));
  for (const peer of peers) void peer.start();
  report(false);
  timer = setInterval(() => report(false), REPORT_INTERVAL_MS);
});
lines.on('close', () => void stop());
process.on('SIGTERM', () => void stop());
