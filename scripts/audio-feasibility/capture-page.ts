/**
 * The page the browser check loads (browser-check.ts): an AudioContext at 48 kHz whose AudioWorklet copies every
 * rendered sample of its input, with the context frame it starts at, and a clock log (getOutputTimestamp,
 * outputLatency, baseLatency, currentTime against performance.now() and Date.now()) every 200 ms. Plain script,
 * served as text: `window.lab` is what Node reads back.
 */

export const WORKLET_JS = `
class Capture extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(4096); this.n = 0; this.start = 0; }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    const block = ch || new Float32Array(128);
    if (this.n === 0) this.start = currentFrame;
    this.buf.set(block, this.n);
    this.n += block.length;
    if (this.n >= this.buf.length) {
      this.port.postMessage({ frame: this.start, data: this.buf, live: !!ch });
      this.buf = new Float32Array(4096);
      this.n = 0;
    }
    return true;
  }
}
registerProcessor('capture', Capture);
`;

export const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>audio check</title>
<audio id="media"></audio><audio id="rtc"></audio>
<script src="/hls.min.js"></script>
<script>
window.lab = { blocks: [], clock: [], events: [] };
const log = (what) => window.lab.events.push({ t: performance.now(), what });
window.startContext = async () => {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  window.ctx = ctx;
  log('created ' + ctx.state);
  await ctx.resume().catch((e) => log('resume failed ' + e));
  log('after resume ' + ctx.state);
  await ctx.audioWorklet.addModule('/worklet.js');
  const node = new AudioWorkletNode(ctx, 'capture');
  node.port.onmessage = (e) => window.lab.blocks.push({ frame: e.data.frame, data: e.data.data, live: e.data.live, at: performance.now() });
  node.connect(ctx.destination);
  window.capture = node;
  setInterval(() => {
    const ts = ctx.getOutputTimestamp();
    window.lab.clock.push({ perf: performance.now(), wallOffset: Date.now() - performance.now(), currentTime: ctx.currentTime,
      contextTime: ts.contextTime ?? null, performanceTime: ts.performanceTime ?? null,
      outputLatency: ctx.outputLatency, baseLatency: ctx.baseLatency, state: ctx.state });
  }, 200);
  return { state: ctx.state, sampleRate: ctx.sampleRate, baseLatency: ctx.baseLatency, outputLatency: ctx.outputLatency };
};
window.playHls = (url) => new Promise((resolve) => {
  const media = document.getElementById('media');
  const src = window.ctx.createMediaElementSource(media);
  src.connect(window.capture);
  const hls = new Hls({ liveSyncDurationCount: 3 });
  window.hls = hls;
  hls.on(Hls.Events.ERROR, (_, d) => log('hls error ' + d.details + (d.fatal ? ' fatal' : '')));
  hls.loadSource(url);
  hls.attachMedia(media);
  hls.on(Hls.Events.MANIFEST_PARSED, () => media.play().then(() => { log('hls playing'); resolve('playing'); }, (e) => resolve('play() refused: ' + e)));
});
window.answerRtc = async (offer, withElement) => {
  const pc = new RTCPeerConnection();
  window.pc = pc;
  pc.ontrack = (e) => {
    window.rtcStream = e.streams[0] || new MediaStream([e.track]);
    const src = window.ctx.createMediaStreamSource(window.rtcStream);
    src.connect(window.capture);
    log('rtc track into a MediaStreamSource' + (withElement ? ' and an <audio> element' : ' only'));
    if (withElement) window.attachRtcElement();
  };
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 3000); });
  return pc.localDescription.toJSON();
};
window.attachRtcElement = async () => {
  const el = document.getElementById('rtc');
  el.srcObject = window.rtcStream;
  await el.play().then(() => log('rtc element playing'), (e) => log('rtc element play() refused ' + e));
};
window.takeBlocks = () => {
  const out = window.lab.blocks.map((b) => ({ frame: b.frame, live: b.live, at: b.at,
    data: btoa(String.fromCharCode(...new Uint8Array(b.data.buffer))) }));
  window.lab.blocks = [];
  return out;
};
</script>`;
