import type { PathSpec } from './schema.ts';

/**
 * A path's id: the explicit `id`, else `hls-2s` / `hls-0.5s` (`-fmp4` for fMP4 segments) / `ll-hls-1s-200ms`
 * (segment, part) / `webrtc-h264` (plus `-janus` / `-mediasoup` for other relays and `-turn` for the TURN detour).
 */
export function pathIdOf(path: PathSpec): string {
  if (path.id) return path.id;
  if (path.kind === 'hls') return `hls-${formatSeconds(path.segmentDuration)}s${path.segmentType === 'fmp4' ? '-fmp4' : ''}`;
  if (path.kind === 'll-hls') return `ll-hls-${formatSeconds(path.segmentDuration)}s-${Math.round(path.partDuration * 1000)}ms`;
  return `webrtc-${path.codec}${path.relay === 'werift' ? '' : `-${path.relay}`}${path.turn ? '-turn' : ''}`;
}

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
}
