import { LabError } from '../../core/errors.ts';
import type { StreamPosition } from './cmaf-packager.ts';

/**
 * Playlist delivery directives (rfc8216bis §6.2.5): `_HLS_msn` / `_HLS_part` ask the server to hold the playlist
 * request until that segment or part exists; `_HLS_skip=YES|v2` asks for a delta update.
 */
export interface DeliveryDirectives {
  msn: number | null;
  part: number | null;
  skip: boolean;
}

/** A request the server refuses at once (HTTP 400): malformed directives or a segment/part too far ahead. */
export class DeliveryDirectiveError extends LabError {
  override name = 'DeliveryDirectiveError';
}

function wholeNumber(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  if (raw === null) return null;
  if (!/^\d{1,15}$/.test(raw)) throw new DeliveryDirectiveError(`${name} must be a whole number ≥ 0, got "${raw}"`);
  return Number(raw);
}

export function parseDeliveryDirectives(params: URLSearchParams): DeliveryDirectives {
  const msn = wholeNumber(params, '_HLS_msn');
  const part = wholeNumber(params, '_HLS_part');
  if (part !== null && msn === null) throw new DeliveryDirectiveError('_HLS_part without _HLS_msn');
  const skip = params.get('_HLS_skip');
  if (skip !== null && skip !== 'YES' && skip !== 'v2') throw new DeliveryDirectiveError(`_HLS_skip must be YES or v2, got "${skip}"`);
  return { msn, part, skip: skip !== null };
}

export interface BlockingLimits {
  /** Parts in a full segment (to count how far ahead a requested part is). */
  partsPerSegment: number;
  /** Advance Part Limit: 3 / PART-TARGET when the part target is under 1 s, else 3. */
  advancePartLimit: number;
}

export function advancePartLimit(partTarget: number): number {
  return partTarget < 1 ? Math.floor(3 / partTarget + 1e-9) : 3;
}

/**
 * Whether a held request can be answered now ('ready'), must wait ('wait'), or asks for more than two segments
 * past the newest complete one, or for a part beyond the Advance Part Limit ('too-far', answered with 400).
 * `_HLS_msn=M` alone waits for segment M to be complete; with `_HLS_part=N` it waits for part N of segment M or
 * any later part (a request past the last part of M is answered by the first part of M+1).
 */
export function readiness(d: DeliveryDirectives, pos: StreamPosition, limits: BlockingLimits): 'ready' | 'wait' | 'too-far' {
  if (d.msn === null) return 'ready';
  if (d.msn > pos.lastCompleteMsn + 2) return 'too-far';
  if (d.part === null) return pos.lastCompleteMsn >= d.msn ? 'ready' : 'wait';
  const last = pos.lastPart;
  if (last === null) return 'wait';
  if (last.msn > d.msn || (last.msn === d.msn && last.part >= d.part)) return 'ready';
  const ahead = (d.msn - last.msn) * limits.partsPerSegment + (d.part - last.part);
  return ahead > limits.advancePartLimit ? 'too-far' : 'wait';
}
