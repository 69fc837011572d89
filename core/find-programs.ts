import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { MissingDependencyError } from './errors.ts';

const run = promisify(execFile);

export interface FoundProgram {
  path: string;
  /** Where it was found: an environment variable, a fixed path, a package or PATH. */
  source: string;
}

export const INSTALL_HINT = {
  ffmpeg:
    'install ffmpeg: `npm run setup` (Debian/Ubuntu: apt-get install -y ffmpeg; macOS: brew install ffmpeg; ' +
    'Fedora: dnf install ffmpeg-free) or point FFMPEG_PATH at an ffmpeg binary',
  browser:
    'install Chromium: `npm run setup` (Debian/Ubuntu: apt-get install -y chromium; macOS: brew install --cask chromium) ' +
    'or point CHROME_PATH at a Chromium/Chrome binary that plays H.264',
} as const;

/** Whether `path` is a file this process may execute. */
export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable called `name` on PATH. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** ffmpeg: FFMPEG_PATH, then ffmpeg-static's binary if its optional install succeeded, then `ffmpeg` on PATH. */
export function findFfmpeg(): FoundProgram {
  const fromEnv = process.env.FFMPEG_PATH;
  if (fromEnv) {
    if (executable(fromEnv)) return { path: fromEnv, source: 'FFMPEG_PATH' };
    throw new MissingDependencyError(`FFMPEG_PATH=${fromEnv} is not an executable file; ${INSTALL_HINT.ffmpeg}`);
  }
  try {
    const require = createRequire(import.meta.url);
    const staticPath = require('ffmpeg-static') as string | null;
    if (staticPath && executable(staticPath)) return { path: staticPath, source: 'ffmpeg-static' };
  } catch {
    /* optional dependency not installed */
  }
  const found = onPath('ffmpeg');
  if (found) return { path: found, source: 'PATH' };
  throw new MissingDependencyError(`ffmpeg not found; ${INSTALL_HINT.ffmpeg}`);
}

/** Browser: CHROME_PATH, then /usr/bin/chromium, google-chrome (on PATH), then puppeteer's cache. */
export async function findBrowser(): Promise<FoundProgram> {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (executable(fromEnv)) return { path: fromEnv, source: 'CHROME_PATH' };
    throw new MissingDependencyError(`CHROME_PATH=${fromEnv} is not an executable file; ${INSTALL_HINT.browser}`);
  }
  if (executable('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: '/usr/bin/chromium' };
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = onPath(name);
    if (found) return { path: found, source: 'PATH' };
  }
  try {
    const { default: puppeteer } = await import('puppeteer');
    const cached = puppeteer.executablePath();
    if (cached && existsSync(cached)) return { path: cached, source: "puppeteer's cache" };
  } catch {
    /* no cached browser */
  }
  throw new MissingDependencyError(`no Chromium/Chrome found; ${INSTALL_HINT.browser}`);
}

/** First line of `program -version` / `--version`, or the error text. */
export async function programVersion(path: string, flag = '-version'): Promise<string> {
  try {
    const { stdout } = await run(path, [flag], { timeout: 10_000 });
    return stdout.split('\n')[0]?.trim() ?? '';
  } catch (err) {
    return `unknown (${(err as Error).message.split('\n')[0]})`;
  }
}
