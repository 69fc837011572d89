/**
 * The AudioWorklet of the audio probe (audio-probe.ts), bundled on its own (harness/browser/player-bundles.ts serves
 * it as /player/<kind>/audio-worklet.js): it decodes the audio timecode (core/audio-timecode-reader.ts) from every
 * rendered block of what the viewer plays and posts only the marks — [contextFrame of the onset, counter or −1 for
 * an undecodable mark] — never the samples. Its output stays silent.
 */
import { MarkReader } from '../../core/audio-timecode-reader.ts';
import { AUDIO_MARKS_PROCESSOR } from './audio-processor-name.ts';

// The AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
declare const currentFrame: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor & { process(inputs: Float32Array[][]): boolean }): void;

class MarkProcessor extends AudioWorkletProcessor {
  private readonly reader = new MarkReader((mark) => this.port.postMessage([mark.sample, mark.counter ?? -1]));

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) this.reader.push(channel, currentFrame);
    return true;
  }
}

registerProcessor(AUDIO_MARKS_PROCESSOR, MarkProcessor);
