import { UsageError } from '../../core/errors.ts';

/** The test hook's environment variable (documented in docs/scale.md, "Clock offset"). */
export const VIEWER_BROWSER_ENV = 'LAB_VIEWER_BROWSER_ENV';

/**
 * A test-only hook, not a scenario feature: `LAB_VIEWER_BROWSER_ENV='{"<pathId>/v<i>": {"NAME": "value", …}}'` runs
 * the named viewers in a Chromium of their own started with that extra environment (e.g. libfaketime's LD_PRELOAD
 * and FAKETIME=+5s, to stand for a browser on another machine whose clock is off). Chromium's renderer and GPU
 * processes inherit the browser process's environment, so the whole viewer runs on the shifted clock.
 * Returns the extra environment for one viewer, undefined when the hook is unset or does not name it.
 */
export function viewerBrowserEnv(pathId: string, viewerId: string, raw = process.env[VIEWER_BROWSER_ENV]): Record<string, string> | undefined {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`${VIEWER_BROWSER_ENV} must be JSON like {"webrtc/v1": {"FAKETIME": "+5s"}}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${VIEWER_BROWSER_ENV} must be a JSON object of "<pathId>/v<i>" → { NAME: value }, got ${raw.slice(0, 80)}`);
  }
  const entry = (parsed as Record<string, unknown>)[`${pathId}/${viewerId}`];
  if (entry === undefined) return undefined;
  if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string')) {
    throw new UsageError(`${VIEWER_BROWSER_ENV}: "${pathId}/${viewerId}" must map to an object of string values (environment variables)`);
  }
  return entry as Record<string, string>;
}
