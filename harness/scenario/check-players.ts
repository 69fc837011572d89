import { playerOptionProblems, type PlayerName } from '../../players/player-options.ts';
import type { PathSpec } from './schema.ts';

/**
 * Cross-field rules of the DASH kinds and of every path's player: an `ll-dash` chunk is a whole number of frames
 * and fits in its segment, a target latency leaves room for at least one chunk (or segment), and `playerConfig`
 * holds only settings the path's player knows, with the right types. `field(name)` names the user's field.
 */

/** The player a path's viewers run: the one it names, else hls.js (HLS kinds) or dash.js (DASH kinds); null for WebRTC. */
export function pathPlayer(path: PathSpec): PlayerName | null {
  switch (path.kind) {
    case 'hls':
    case 'll-hls':
      return path.player ?? 'hls.js';
    case 'dash':
    case 'll-dash':
      return path.player ?? 'dashjs';
    default:
      return null;
  }
}

export function playerProblems(path: PathSpec, field: (name: string) => string): string[] {
  const config = 'playerConfig' in path ? path.playerConfig : undefined;
  const player = pathPlayer(path);
  if (!config || !player) return [];
  return playerOptionProblems(player, config, field('playerConfig'));
}

export function dashProblems(path: PathSpec, fps: number, field: (name: string) => string, where = ''): string[] {
  if (path.kind !== 'll-dash' && path.kind !== 'dash') return [];
  const problems: string[] = [];
  const unit = path.kind === 'll-dash' ? path.chunkDuration : path.segmentDuration;
  if (path.kind === 'll-dash') {
    const frames = path.chunkDuration * fps;
    if (Math.abs(frames - Math.round(frames)) > 1e-9) {
      problems.push(
        `${field('chunkDuration')}: ${path.chunkDuration} s is not a whole number of frames at ${fps} fps${where}; use a multiple of ${Number((1 / fps).toFixed(4))} s (e.g. ${Number((Math.max(1, Math.round(frames)) / fps).toFixed(4))})`,
      );
    }
    if (path.chunkDuration > path.segmentDuration) {
      problems.push(`${field('chunkDuration')}: ${path.chunkDuration} s is longer than the segment (segmentDuration ${path.segmentDuration} s); a chunk is a piece of a segment`);
    }
  }
  if (path.targetLatency !== undefined && path.targetLatency < unit - 1e-9) {
    const what = path.kind === 'll-dash' ? 'chunkDuration' : 'segmentDuration';
    problems.push(`${field('targetLatency')}: ${path.targetLatency} s is less than one ${what} (${unit} s): no player can play closer to live than the media it has; leave it out for the default`);
  }
  return problems;
}
