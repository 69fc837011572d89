import { serverIdSuffix } from './delivery.ts';
import type { PathSpec } from './schema.ts';

/**
 * A path's id: the explicit `id`, else `hls-2s` / `hls-0.5s` (`-fmp4` for fMP4 segments) / `ll-hls-1s-200ms`
 * (segment, part) / `webrtc-h264` (plus `-janus` / `-mediasoup` for other relays and `-turn` for the TURN detour) /
 * `ll-dash-1s-200ms` (segment, chunk) / `dash-2s`; a path that names its `player` gets it as a suffix
 * (`ll-hls-1s-200ms-shaka`, `hls-2s-hlsjs`), so a list of players makes one id per player.
 */
export function pathIdOf(path: PathSpec): string {
  if (path.id) return path.id;
  if (path.kind === 'flv') return `flv${serverIdSuffix(path)}`;
  if (path.kind === 'hls') return `hls-${formatSeconds(path.segmentDuration)}s${path.segmentType === 'fmp4' ? '-fmp4' : ''}${serverIdSuffix(path)}${playerSuffix(path.player)}`;
  if (path.kind === 'll-hls') return `ll-hls-${formatSeconds(path.segmentDuration)}s-${Math.round(path.partDuration * 1000)}ms${playerSuffix(path.player)}`;
  if (path.kind === 'll-dash') return `ll-dash-${formatSeconds(path.segmentDuration)}s-${Math.round(path.chunkDuration * 1000)}ms${playerSuffix(path.player)}`;
  if (path.kind === 'dash') return `dash-${formatSeconds(path.segmentDuration)}s${serverIdSuffix(path)}${playerSuffix(path.player)}`;
  if (path.playback) return `webrtc-${path.codec}${serverIdSuffix(path)}`;
  return `webrtc-${path.codec}${path.relay === 'werift' ? '' : `-${path.relay}`}${path.turn ? '-turn' : ''}`;
}

/** `-shaka`, `-hlsjs`, … for a player named in the path; nothing when the path leaves it to the default. */
function playerSuffix(player: string | undefined): string {
  return player ? `-${player.replace(/[^a-z0-9]/g, '')}` : '';
}

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
}
