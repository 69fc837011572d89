import { z } from 'zod';
import { NAT_TYPES } from './nat-rules.ts';

/**
 * The `network` block of a scenario (globally, or per path): conditions of the link between the lab's servers and
 * the path's viewers, which then run inside a network namespace of their own. Fields left out keep their previous
 * value (the defaults first, then the base block, then each schedule step in turn); `uplink` / `downlink` override
 * one direction (downlink = servers → viewer, the media direction).
 */
const conditionShape = {
  /** One-way delay added in each direction (ms). */
  delayMs: z.number().min(0).max(10_000).optional(),
  /** Spread of the delay (ms): the standard deviation for normal/pareto/paretonormal, the half-width for uniform. */
  jitterMs: z.number().min(0).max(5_000).optional(),
  jitterDistribution: z.enum(['normal', 'uniform', 'pareto', 'paretonormal']).optional(),
  /** Long-run share of packets lost (%). */
  lossPercent: z.number().min(0).max(100).optional(),
  /** Mean loss burst length in packets: 1 = independent random loss, > 1 = Gilbert-Elliott bursts. */
  lossBurst: z.number().min(1).max(1000).optional(),
  /** Share of packets sent at once, overtaking the delayed ones (%); needs delayMs > 0. */
  reorderPercent: z.number().min(0).max(100).optional(),
  /** Bottleneck rate (kbit/s); 0 = unlimited. */
  rateKbps: z.number().min(0).max(10_000_000).optional(),
  /** Queue of the bottleneck, as time at its rate (ms); beyond it packets are dropped. */
  queueMs: z.number().min(1).max(10_000).optional(),
};

export const directionConditionSchema = z.strictObject(conditionShape);

const changeShape = {
  ...conditionShape,
  uplink: directionConditionSchema.optional(),
  downlink: directionConditionSchema.optional(),
};

export const scheduleStepSchema = z.strictObject({
  /** Seconds after every viewer of the run has joined. */
  at: z.number().min(0).max(86_400),
  ...changeShape,
});

export const networkSchema = z.strictObject({
  ...changeShape,
  /**
   * A NAT router between the viewers and the servers (harness/network/nat-rules.ts): none (default; the viewers sit
   * on the link itself), endpoint-independent, address-dependent, symmetric or udp-blocked (only TCP gets out).
   */
  nat: z.enum(NAT_TYPES).optional(),
  /** Changes of condition during the run, in order of `at`; each step changes only the fields it names. */
  schedule: z.array(scheduleStepSchema).max(100).optional(),
});

export type NetworkSpec = z.output<typeof networkSchema>;
export type ScheduleStepSpec = z.output<typeof scheduleStepSchema>;
export type DirectionConditionSpec = z.output<typeof directionConditionSchema>;
export type JitterDistribution = NonNullable<DirectionConditionSpec['jitterDistribution']>;

/** Keys each part accepts, for "did you mean" hints. */
export const NETWORK_KEYS = {
  network: Object.keys(networkSchema.shape),
  direction: Object.keys(directionConditionSchema.shape),
  schedule: Object.keys(scheduleStepSchema.shape),
} as const;
