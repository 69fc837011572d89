/**
 * Two response headers the lab's origins (classic HLS and LL-HLS) put on every playlist, read by the HLS player in
 * the page: when the newest media in that playlist became available at the origin, and when the response left it
 * (both wall-clock ms; the origin and the browsers share this machine's clock). With them the player can split how
 * stale its view of the live edge is into the origin's share (the playlist's age when served: the polling phase
 * of classic HLS, ~0 for a blocking LL-HLS reload) and the network's (served → first byte in the page).
 */
export const PLAYLIST_PUBLISHED_HEADER = 'x-lab-published-ms';
export const PLAYLIST_SERVED_HEADER = 'x-lab-served-ms';

export function playlistTimingHeaders(publishedMs: number, servedMs = Date.now()): Record<string, string> {
  return { [PLAYLIST_PUBLISHED_HEADER]: publishedMs.toFixed(1), [PLAYLIST_SERVED_HEADER]: servedMs.toFixed(1) };
}
