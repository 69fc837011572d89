import type { LlHlsPathSpec } from './schema.ts';

/**
 * Cross-field rules of an `ll-hls` path: parts are whole frames and fit in a segment, and PART-HOLD-BACK is at
 * least twice the part target (rfc8216bis). `field(name)` names the user's field (sweeps included).
 */
export function llHlsProblems(path: LlHlsPathSpec, fps: number, field: (name: string) => string, where = ''): string[] {
  const problems: string[] = [];
  const frames = path.partDuration * fps;
  if (Math.abs(frames - Math.round(frames)) > 1e-9) {
    problems.push(
      `${field('partDuration')}: ${path.partDuration} s is not a whole number of frames at ${fps} fps${where}, so parts cannot be cut at that duration; use a multiple of ${Number((1 / fps).toFixed(4))} s (e.g. ${Number((Math.max(1, Math.round(frames)) / fps).toFixed(4))})`,
    );
  }
  if (path.partDuration > path.segmentDuration) {
    problems.push(`${field('partDuration')}: ${path.partDuration} s is longer than the segment (segmentDuration ${path.segmentDuration} s); a part is a piece of a segment`);
  }
  if (path.partHoldBack !== undefined && path.partHoldBack < 2 * path.partDuration - 1e-9) {
    problems.push(`${field('partHoldBack')}: ${path.partHoldBack} s is less than 2 × partDuration (${2 * path.partDuration} s), which LL-HLS forbids; leave it out for the recommended 3 × partDuration`);
  }
  return problems;
}
