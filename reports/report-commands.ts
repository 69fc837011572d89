import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { refuseForeignHost } from '../harness/server/lab-server.ts';
import { onPath } from '../core/find-programs.ts';
import { loadRun } from './load-run.ts';
import { loadPageAssets } from './page-assets.ts';
import { renderReport } from './render-report.ts';

export const REPORT_FILE = 'report.html';

/** (Re)generates a run's report.html from its saved results.json (+ samples.csv); returns the written file. */
export async function writeReport(runDir: string, outFile?: string): Promise<string> {
  const [run, assets] = await Promise.all([loadRun(runDir), loadPageAssets()]);
  const html = renderReport(run.results, { samples: run.samples, assets, generatedAt: new Date() });
  const target = resolve(outFile ?? join(run.runDir, REPORT_FILE));
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, html, 'utf8');
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }); // e.g. a full disk: no half-written temp file left in the run folder
    throw err;
  }
  return target;
}

/** Run folders (holding results.json) under runsRoot, newest first (folder names start with the run's stamp). */
export function listRuns(runsRoot: string): string[] {
  if (!existsSync(runsRoot)) return [];
  return readdirSync(runsRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(runsRoot, entry.name, 'results.json')))
    .map((entry) => entry.name)
    .sort()
    .reverse()
    .map((name) => resolve(runsRoot, name));
}

/**
 * The run folder meant by `run`: undefined → the latest under runsRoot; else a folder (or a file in it: results.json,
 * report.html), a folder name under runsRoot, or a scenario name (the latest `<stamp>-<name>`).
 */
export function resolveRunDir(run: string | undefined, runsRoot = 'runs'): string {
  const runs = listRuns(runsRoot);
  if (run === undefined) {
    if (!runs.length) throw new UsageError(`no runs under ${resolve(runsRoot)}: make one with \`lab run <scenario>\``);
    return runs[0]!;
  }
  for (const candidate of [resolve(run), resolve(runsRoot, run)]) {
    if (!existsSync(candidate)) continue;
    const dir = statSync(candidate).isFile() ? dirname(candidate) : candidate;
    if (existsSync(join(dir, 'results.json'))) return dir;
  }
  const named = runs.find((dir) => basename(dir).endsWith(`-${run}`));
  if (named) return named;
  const known = runs.slice(0, 8).map((dir) => basename(dir));
  throw new UsageError(
    `no run "${run}" (a run folder, or a scenario name under ${resolve(runsRoot)})${known.length ? `; latest runs: ${known.join(', ')}` : ''}`,
  );
}

export interface ShowReportOptions {
  /** Try to open a browser on the URL (default true; skipped silently without a display or opener). */
  open?: boolean;
}

export interface ShownReport {
  url: string;
  /** The report file being served. */
  file: string;
  close(): Promise<void>;
}

/**
 * Serves the latest (or named) run's report on 127.0.0.1 at an OS-chosen port (report.html is written first if the
 * run has none) and opens a browser when one can be opened.
 */
export async function showReport(runDirOrUndefined: string | undefined, runsRoot = 'runs', options: ShowReportOptions = {}): Promise<ShownReport> {
  const runDir = resolveRunDir(runDirOrUndefined, runsRoot);
  let file = join(runDir, REPORT_FILE);
  if (!existsSync(file)) file = await writeReport(runDir);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (refuseForeignHost(req, res)) return; // DNS rebinding: only http://127.0.0.1:<port>/ or localhost:<port>
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/' || path === `/${REPORT_FILE}`) {
      readFile(file).then(
        (body) => {
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`cannot read ${file}: ${err.message}\n`),
      );
      return;
    }
    res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  if (options.open !== false) openBrowser(url);
  return {
    url,
    file,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/** The command that opens a URL in the user's browser here, or undefined (no display, no opener, CI). */
export function browserOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } | undefined {
  if (env.CI) return undefined;
  if (platform === 'darwin') return onPath('open') ? { command: 'open', args: [] } : undefined;
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', ''] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  const opener = onPath('xdg-open');
  return opener ? { command: opener, args: [] } : undefined;
}

function openBrowser(url: string): void {
  const opener = browserOpener();
  if (!opener) return;
  try {
    const child = spawn(opener.command, [...opener.args, url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    /* no browser: the URL is printed by the caller */
  }
}
