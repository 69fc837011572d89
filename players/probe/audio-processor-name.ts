/** The AudioWorklet processor of the audio probe: registered by audio-worklet.ts, created by audio-probe.ts. */
export const AUDIO_MARKS_PROCESSOR = 'latency-lab-audio-marks';
/** Where the page loads the worklet's bundle from, relative to the player page (harness/browser/player-bundles.ts). */
export const AUDIO_WORKLET_FILE = 'audio-worklet.js';
