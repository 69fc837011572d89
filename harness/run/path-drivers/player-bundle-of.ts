import type { PlayerConfig } from '../../../players/contract.ts';
import type { PlayerName } from '../../../players/player-options.ts';

/** The player bundle (harness/browser/player-bundles.ts) that runs a scenario's `player`. */
export function bundleOf(player: PlayerName): PlayerConfig['kind'] {
  switch (player) {
    case 'hls.js':
      return 'hls';
    case 'dashjs':
      return 'dash';
    case 'shaka':
      return 'shaka';
    case 'videojs':
      return 'videojs';
  }
}
