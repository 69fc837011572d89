import { z } from 'zod';

/**
 * The scenario fields of a path served by a server the lab does not build itself: a server given by URL (`ingest:`,
 * `playback:`, with `headers:` and `token:` for the playback requests). Which server a path has, what it speaks
 * in and out, and the checks of these fields are in delivery.ts and check-servers.ts.
 */

/** `${env:NAME}`: a value taken from the environment when the run starts, never written anywhere. */
export const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

const headerName = z.string().max(64).regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name (letters, digits, dashes)');

export const serverUrlFields = {
  /**
   * Where the lab pushes its one encode (tee'd like every other output): rtmp://, rtmps://, srt:// or rtsp:// of a
   * server the lab does not run. Needs `playback`.
   */
  ingest: z.string().max(2048).optional(),
  /** The URL the viewers play: an HLS playlist, DASH MPD or HTTP-FLV stream (http:// or https://) of any server. */
  playback: z.string().max(2048).optional(),
  /** HTTP headers the player sends with every playback request; a value may be `${env:NAME}` (kept out of every output). */
  headers: z.record(headerName, z.string().max(4096)).optional(),
  /** A bearer token the player sends (authorization: Bearer …): `${env:NAME}`, so it is in no file the lab writes. */
  token: z.string().max(4096).optional(),
};
