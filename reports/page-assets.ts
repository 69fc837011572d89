import { buildSync, type BuildOptions } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRestartingService } from '../core/process/esbuild-build.ts';
import { LabError } from '../core/errors.ts';
import { scriptForInline } from './html.ts';

/** The two scripts every report inlines: Chart.js's UMD build (defines window.Chart) and the bundled page logic. */
export interface PageAssets {
  chartJs: string;
  pageJs: string;
}

const PAGE_ENTRY = join('reports', 'page', 'report-page.ts');

/** The report page's own source is missing from this install, so no report can be built. */
export class ReportAssetError extends LabError {
  override name = 'ReportAssetError';
}

/**
 * reports/page/report-page.ts, found next to this module, or (when the CLI runs from a bundle elsewhere in the
 * package) by walking up from this module's folder.
 */
export function pageEntryPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'page', 'report-page.ts');
  if (existsSync(sibling)) return sibling;
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, PAGE_ENTRY);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new ReportAssetError(`report page source not found (looked for ${PAGE_ENTRY} above ${here}); reinstall latency-lab (npm ci)`);
}

/** node_modules/chart.js/dist/chart.umd.min.js (the package's exports map hides dist/, so resolve the main entry). */
export function chartJsPath(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(main), 'chart.umd.min.js');
}

function buildOptions(): BuildOptions & { write: false } {
  return {
    entryPoints: [pageEntryPath()],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  };
}

function assemble(pageJs: string): PageAssets {
  return { chartJs: scriptForInline(readFileSync(chartJsPath(), 'utf8')), pageJs: scriptForInline(pageJs) };
}

let cached: Promise<PageAssets> | undefined;
let cachedSync: PageAssets | undefined;

/**
 * Builds the page bundle with esbuild (once per process). A Ctrl-C to the whole process group kills esbuild's
 * service; the build then restarts it, so an interrupted run still gets its report.html.
 */
export function loadPageAssets(): Promise<PageAssets> {
  cached ??= buildRestartingService(buildOptions()).then((pageJs) => {
    const assets = assemble(pageJs);
    cachedSync ??= assets;
    return assets;
  });
  cached.catch(() => (cached = undefined));
  return cached;
}

/** Same as loadPageAssets, synchronously (for renderReport called without prepared assets). */
export function loadPageAssetsSync(): PageAssets {
  cachedSync ??= assemble(buildSync(buildOptions()).outputFiles[0]!.text);
  return cachedSync;
}
