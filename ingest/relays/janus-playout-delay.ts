import { LabError } from '../../core/errors.ts';

/**
 * The playout-delay RTP header extension (issue 20 item 5) through Janus's streaming plugin (Debian's 1.1.2): the
 * mountpoint is created with `playoutdelay_ext: true`, so every viewer's offer carries the extension's extmap, and
 * each viewer's session is `configure`d with the min/max delay, which Janus then writes into every video packet it
 * forwards to that viewer. The receiver (Chromium's WebRTC) takes the two values as bounds of its playout delay,
 * i.e. of the jitter buffer's target. Janus takes them in the extension's own unit, 10 ms blocks (12 bits each).
 *
 * Only Janus adds it in the lab: werift 0.24 has no such extension (it would have to rewrite every packet's header),
 * mediasoup only forwards header extensions the producer sends, and the lab's ffmpeg sends none.
 */

/** The extension's URI, as Janus offers it (RFC-less; webrtc.org's experiment that Chromium implements). */
export const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/** 12 bits of 10 ms blocks each: 0–40950 ms. */
export const PLAYOUT_DELAY_MAX_MS = 4095 * 10;

/** A path's `playoutDelay`: the bounds (ms) every viewer's receiver is asked to keep its playout delay within. */
export interface PlayoutDelay {
  minMs: number;
  maxMs: number;
}

/** The fields of a WebRTC path spec the check reads (harness/scenario/schema.ts's WebrtcPathSpec satisfies it). */
export interface PlayoutDelayFields {
  relay: string;
  playback?: unknown;
  playoutDelay?: PlayoutDelay;
}

/** Why each relay cannot add the extension (for the scenario error). */
const WHY_NOT: Readonly<Record<string, string>> = {
  werift: 'werift 0.24 cannot add RTP header extensions (it has no playout-delay extension)',
  mediasoup: 'mediasoup only forwards the header extensions the producer sends, and the lab\'s ffmpeg sends none',
};

/** Scenario problems of a path's `playoutDelay`, each naming the field, the value and what is allowed. */
export function playoutDelayProblems(spec: PlayoutDelayFields, field: (name: string) => string): string[] {
  const delay = spec.playoutDelay;
  if (!delay) return [];
  const problems: string[] = [];
  if (spec.playback !== undefined) {
    problems.push(`${field('playoutDelay')}: the lab cannot add header extensions on an external server's stream (playback URL); allowed with relay: janus only`);
  } else if (spec.relay !== 'janus') {
    problems.push(`${field('playoutDelay')}: relay ${spec.relay} cannot add the playout-delay extension (${WHY_NOT[spec.relay] ?? 'not supported'}); allowed with relay: janus only`);
  }
  for (const key of ['minMs', 'maxMs'] as const) {
    const ms = delay[key];
    if (!Number.isInteger(ms / 10) || ms < 0 || ms > PLAYOUT_DELAY_MAX_MS) {
      problems.push(`${field('playoutDelay')}.${key}: ${ms} is not allowed; the extension carries 10 ms steps: 0, 10, 20, … ${PLAYOUT_DELAY_MAX_MS}`);
    }
  }
  if (delay.minMs > delay.maxMs) {
    problems.push(`${field('playoutDelay')}: minMs ${delay.minMs} is above maxMs ${delay.maxMs}; minMs must be ≤ maxMs`);
  }
  return problems;
}

/** The streaming plugin's per-viewer request: min/max delay of the video stream (mid `v`), in 10 ms blocks. */
export function playoutDelayConfigure(delay: PlayoutDelay, mid: string): Record<string, unknown> {
  return { request: 'configure', mid, min_delay: Math.round(delay.minMs / 10), max_delay: Math.round(delay.maxMs / 10) };
}

/** The extmap id the offer gives the playout-delay extension in its video section, or null when it has none. */
export function offeredPlayoutDelayId(sdp: string): number | null {
  const video = sdp.split(/\r?\n(?=m=)/).find((section) => section.startsWith('m=video'));
  const line = video?.split(/\r?\n/).find((l) => l.startsWith('a=extmap:') && l.includes(PLAYOUT_DELAY_URI));
  const id = line ? /^a=extmap:(\d+)/.exec(line)?.[1] : undefined;
  return id === undefined ? null : Number(id);
}

/** Janus's offer lacks the extension although the mountpoint was created with it (an older or differently built Janus). */
export class PlayoutDelayNotOfferedError extends LabError {
  override name = 'PlayoutDelayNotOfferedError';
  constructor(label: string, sdp: string) {
    const extmaps = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=extmap:'));
    super(
      `${label}: playoutDelay was asked for, but Janus's offer has no ${PLAYOUT_DELAY_URI} extmap (its extensions: ${extmaps.join(' | ') || 'none'}); ` +
        'the streaming plugin needs playoutdelay_ext support (Janus ≥ 1.1); remove playoutDelay or use such a Janus',
    );
  }
}
