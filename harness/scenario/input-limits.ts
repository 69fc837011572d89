import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../../core/errors.ts';

/**
 * Limits on what a user hands the lab, so that a wrong file or an absurd value is refused at once (exit 2) rather
 * than echoed for megabytes, expanded until memory runs out, or failed deep in a run.
 */

/** Largest scenario file read (a real one is a few KiB). */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** Longest scenario name and path id: both become parts of folder and file names. */
export const MAX_NAME_LENGTH = 64;
/** Most paths one run may have once every list of a sweep is expanded. */
export const MAX_PATHS = 64;
/** Longest echo of a user's value in a message. */
export const MAX_ECHO_CHARS = 80;

/** `text` cut to `max` characters, saying how long it was: `"aaaa…" (300 characters)`. */
export function clip(text: string, max = MAX_ECHO_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}… (${text.length} characters)`;
}

/**
 * A scenario file's text: at most MAX_SCENARIO_BYTES are read (whatever the file is: a device or a pipe is never read
 * to its end), and a file with NUL bytes is refused as not text.
 */
export function readScenarioText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new UsageError(`cannot read scenario ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UsageError(`cannot read scenario ${file}: it is a folder; give a .yaml file`);
    const limit = `the limit is ${MAX_SCENARIO_BYTES} bytes (1 MiB); a scenario is a short YAML file`;
    if (stat.isFile() && stat.size > MAX_SCENARIO_BYTES) throw new UsageError(`scenario ${file} is ${stat.size} bytes; ${limit}`);
    const buffer = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_SCENARIO_BYTES) throw new UsageError(`scenario ${file} is more than ${MAX_SCENARIO_BYTES} bytes; ${limit}`);
    const bytes = buffer.subarray(0, length);
    if (bytes.includes(0)) throw new UsageError(`scenario ${file} is not a text file (it holds NUL bytes); give a .yaml file`);
    return bytes.toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read scenario ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
