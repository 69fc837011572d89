import { unwrapMarkMs } from '../../core/audio-timecode.ts';
import { AUDIO_MARKS_PROCESSOR, AUDIO_WORKLET_FILE } from './audio-processor-name.ts';
import { WallClock } from './wall-clock.ts';

export interface AudioSink {
  /** A decoded mark: when it was played (page wall clock) and its mouth-to-ear latency (played − stamped). */
  mark(playWallMs: number, latencyMs: number): void;
  /** A mark whose word failed its CRC, when it was played. */
  undecodable(playWallMs: number): void;
  /** The context's facts, once (what "played" includes: base + output latency). */
  info(sampleRate: number, baseLatencyMs: number, outputLatencyMs: number): void;
  error(message: string): void;
}

/**
 * Times the audio the viewer actually plays (issue 19, docs/audio.md): an AudioContext at 48 kHz whose AudioWorklet
 * (audio-worklet.ts) decodes the audio timecode from the media element's audio (HLS, DASH: fromElement) or from the
 * received WebRTC track (fromTrack). Each mark's onset, a context frame, is mapped to the page's wall clock with
 * getOutputTimestamp() — the context time being output at a performance.now() instant, so the output latency
 * (Chromium's stand-in device here: 32 ms, plus 10 ms base) is included — and then like the video probe's times
 * (WallClock). latency = played − stamped; the harness applies the page's clock offset to both probes alike.
 */
export class AudioProbe {
  private readonly clock = new WallClock();

  private constructor(private readonly context: AudioContext, private readonly node: AudioWorkletNode, private readonly sink: AudioSink) {
    node.port.onmessage = (event: MessageEvent<[number, number]>) => this.onMark(event.data[0], event.data[1]);
  }

  static async create(sink: AudioSink): Promise<AudioProbe> {
    if (!window.isSecureContext) {
      throw new Error(`AudioWorklet needs a secure context and ${location.origin} is not one (a browser that reaches the lab over the network: only loopback, https or an origin the browser is told to treat as secure qualify)`);
    }
    const context = new AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
    await context.audioWorklet.addModule(new URL(AUDIO_WORKLET_FILE, location.href).href);
    // Mono in, one silent channel out; connected to the destination so that the graph pulls it.
    const node = new AudioWorkletNode(context, AUDIO_MARKS_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit' });
    node.connect(context.destination);
    if (context.state !== 'running') await context.resume().catch((err: unknown) => sink.error(`audio probe: AudioContext did not start: ${String(err)}`));
    sink.info(context.sampleRate, context.baseLatency * 1000, (context.outputLatency ?? 0) * 1000);
    return new AudioProbe(context, node, sink);
  }

  /** The media element's audio (it must not be muted: a muted element feeds the graph silence). */
  fromElement(element: HTMLMediaElement): void {
    this.context.createMediaElementSource(element).connect(this.node);
  }

  /**
   * A received WebRTC audio track. Chromium pulls remote audio only for a media element that plays it (a
   * MediaStreamSource alone gets silence), so an <audio> element plays it too — at ontrack, else NetEq queues what
   * nobody pulls and starts seconds behind. Its sound goes nowhere: the lab's Chromium runs with --mute-audio.
   */
  fromTrack(track: MediaStreamTrack): void {
    const stream = new MediaStream([track]);
    const element = new Audio();
    element.srcObject = stream;
    element.play().catch((err: unknown) => this.sink.error(`audio probe: <audio> play() refused: ${String(err)}`));
    this.context.createMediaStreamSource(stream).connect(this.node);
  }

  private onMark(frame: number, counter: number): void {
    const ts = this.context.getOutputTimestamp();
    if (!ts.performanceTime || ts.contextTime === undefined) return; // no output yet: nothing was played
    const playedPerfMs = ts.performanceTime + (frame / this.context.sampleRate - ts.contextTime) * 1000;
    const playedWallMs = this.clock.toWall(playedPerfMs);
    if (counter < 0) this.sink.undecodable(playedWallMs);
    else this.sink.mark(playedWallMs, playedWallMs - unwrapMarkMs(counter, playedWallMs));
  }
}
