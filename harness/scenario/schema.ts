import { z } from 'zod';

/**
 * The scenario file (v1). One schema validates user files and (later) generates the editor JSON Schema; names are
 * part of the public format: keep them.
 */

const pathId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');
const viewers = z.number().int().min(1).max(64);

export const videoSchema = z.strictObject({
  /** Frame width in px (even, ≥ 320 so the 320x32 timecode band fits). */
  width: z.number().int().min(320).max(3840).multipleOf(2).default(640),
  height: z.number().int().min(180).max(2160).multipleOf(2).default(360),
  fps: z.number().int().min(1).max(60).default(30),
  bitrateKbps: z.number().int().min(100).max(20_000).default(1000),
});

export const hlsPathSchema = z.strictObject({
  kind: z.literal('hls'),
  id: pathId.optional(),
  /** Target segment duration in seconds; segments are cut on keyframes so the GOP is aligned to it. */
  segmentDuration: z.number().gt(0).max(30).default(2),
  /** Segments kept in the live playlist. */
  listSize: z.number().int().min(3).max(100).default(6),
  viewers: viewers.optional(),
});

export const webrtcPathSchema = z.strictObject({
  kind: z.literal('webrtc'),
  id: pathId.optional(),
  relay: z.enum(['werift', 'mediasoup']).default('werift'),
  codec: z.enum(['h264', 'vp8']).default('h264'),
  viewers: viewers.optional(),
});

export const pathSchema = z.discriminatedUnion('kind', [hlsPathSchema, webrtcPathSchema]);

export const scenarioSchema = z.strictObject({
  /** Used in the results folder name: lowercase letters, digits and dashes. */
  name: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+'),
  description: z.string().max(2000).optional(),
  /** Seconds measured per viewer, after its warm-up. */
  duration: z.number().gt(0).max(86_400).default(30),
  /** Seconds discarded after a viewer's first frame. */
  warmup: z.number().min(0).max(600).default(3),
  video: videoSchema.default({ width: 640, height: 360, fps: 30, bitrateKbps: 1000 }),
  /** steady: HLS viewers join once the playlist holds ≥ 4 segments (a late joiner); first-segment: as soon as one exists. */
  join: z.enum(['steady', 'first-segment']).default('steady'),
  /** Viewers per path (each in its own browser context); a path may override it. */
  viewers: viewers.default(1),
  paths: z.array(pathSchema).min(1),
  /** Pass/fail rules per path id (glob allowed), k6 style: { "webrtc-*": ["p(95)<150"] }. Checked after the run. */
  thresholds: z.record(z.string(), z.array(z.string())).optional(),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type PathSpec = z.output<typeof pathSchema>;
export type HlsPathSpec = z.output<typeof hlsPathSchema>;
export type WebrtcPathSpec = z.output<typeof webrtcPathSchema>;
export type VideoSpec = z.output<typeof videoSchema>;

/** Keys each object accepts, for "did you mean" hints. */
export const KNOWN_KEYS = {
  scenario: Object.keys(scenarioSchema.shape),
  video: Object.keys(videoSchema.shape),
  hls: Object.keys(hlsPathSchema.shape),
  webrtc: Object.keys(webrtcPathSchema.shape),
  thresholds: [] as string[],
} as const;
