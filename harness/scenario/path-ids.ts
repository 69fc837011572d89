import type { PathSpec } from './schema.ts';

/** A path's id: the explicit `id`, else `hls-2s` / `hls-0.5s` / `webrtc-h264` (plus `-mediasoup` for other relays). */
export function pathIdOf(path: PathSpec): string {
  if (path.id) return path.id;
  if (path.kind === 'hls') return `hls-${formatSeconds(path.segmentDuration)}s`;
  return `webrtc-${path.codec}${path.relay === 'werift' ? '' : `-${path.relay}`}`;
}

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
}
