import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BrowserSession } from '../harness/browser/browser-session.ts';
import { findBrowser, findFfmpeg, INSTALL_HINT, programVersion, type FoundProgram } from '../core/find-programs.ts';
import { relayBackendChecks } from '../ingest/relays/relay-backends.ts';
import { serverChecks } from '../ingest/servers/server-installs.ts';
import { networkDoctorCheck } from '../harness/network/network-doctor.ts';
import { findSystemProgram } from '../harness/network/network-capabilities.ts';
import { sweepStale } from '../harness/network/stale-sweep.ts';
import { describeSwept, sweepOrphans } from '../core/process/orphan-sweep.ts';

const run = promisify(execFile);

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  /** Needed only by some scenarios (relay backends, TURN): reported, but does not fail `lab doctor`. */
  optional?: boolean;
}

async function ffmpegChecks(): Promise<DoctorCheck[]> {
  let ffmpeg: FoundProgram;
  try {
    ffmpeg = findFfmpeg();
  } catch (err) {
    return [{ name: 'ffmpeg', ok: false, detail: (err as Error).message, hint: INSTALL_HINT.ffmpeg }];
  }
  const checks: DoctorCheck[] = [{ name: 'ffmpeg', ok: true, detail: `${ffmpeg.path} (${ffmpeg.source}): ${await programVersion(ffmpeg.path)}` }];
  const { stdout } = await run(ffmpeg.path, ['-hide_banner', '-encoders'], { timeout: 10_000 }).catch(() => ({ stdout: '' }));
  for (const [encoder, use] of [['libx264', 'H.264 for HLS and WebRTC'], ['libvpx', 'VP8 for WebRTC']] as const) {
    const ok = new RegExp(`\\s${encoder}\\s`).test(stdout);
    checks.push({ name: `ffmpeg encoder ${encoder}`, ok, detail: ok ? use : `missing (${use})`, ...(ok ? {} : { hint: `use an ffmpeg build with ${encoder} (Debian's ffmpeg has it)` }) });
  }
  return checks;
}

async function browserChecks(): Promise<DoctorCheck[]> {
  let browser: FoundProgram;
  try {
    browser = await findBrowser();
  } catch (err) {
    return [{ name: 'browser', ok: false, detail: (err as Error).message, hint: INSTALL_HINT.browser }];
  }
  let session: BrowserSession | undefined;
  try {
    session = await BrowserSession.launch(browser.path);
    const checks: DoctorCheck[] = [{ name: 'browser', ok: true, detail: `${browser.path} (${browser.source}): ${await session.version()}` }];
    const page = await session.browser.newPage();
    const caps = await page.evaluate(() => ({
      mseH264: typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"'),
      rtc: (RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).map((c) => c.mimeType),
      rvfc: 'requestVideoFrameCallback' in HTMLVideoElement.prototype,
    }));
    const hint = 'use Debian/Ubuntu Chromium or Google Chrome (Chrome for Testing may lack H.264); set CHROME_PATH';
    checks.push({ name: 'browser plays H.264 (MSE, for hls.js)', ok: caps.mseH264, detail: caps.mseH264 ? 'yes' : 'no', ...(caps.mseH264 ? {} : { hint }) });
    for (const codec of ['video/H264', 'video/VP8']) {
      const ok = caps.rtc.includes(codec);
      checks.push({ name: `browser receives ${codec.slice(6)} over WebRTC`, ok, detail: ok ? 'yes' : 'no', ...(ok ? {} : { hint }) });
    }
    checks.push({ name: 'requestVideoFrameCallback', ok: caps.rvfc, detail: caps.rvfc ? 'yes' : 'no (the frame probe needs it)' });
    return checks;
  } catch (err) {
    return [{ name: 'browser', ok: false, detail: `${browser.path}: ${(err as Error).message}`, hint: INSTALL_HINT.browser }];
  } finally {
    await session?.close();
  }
}

/**
 * browserless (remote viewers' CDP endpoint, docs/scale.md): found where scripts/browserless/install.sh put it (the
 * script itself names the folder, so the cache rule lives in one place). A line only: nothing is started.
 */
export async function browserlessCheck(): Promise<DoctorCheck> {
  const script = fileURLToPath(new URL('../scripts/browserless/install.sh', import.meta.url));
  const hint = 'npm run setup (or bash scripts/browserless/install.sh); only remote-viewer tests and hand runs use it';
  try {
    const dir = (await run('bash', [script, '--print-path'], { timeout: 10_000 })).stdout.trim();
    const info = JSON.parse(await readFile(join(dir, 'installed.json'), 'utf8')) as { version?: string; chromium?: string };
    return { name: 'browserless', ok: true, detail: `${info.version ?? '?'} in ${dir} (Chromium ${info.chromium ?? '?'})`, optional: true };
  } catch {
    return { name: 'browserless', ok: false, detail: 'not installed', hint, optional: true };
  }
}

/** Checks everything a run needs; every failed check carries an exact install hint. */
export async function doctor(): Promise<DoctorCheck[]> {
  const node: DoctorCheck = {
    name: 'node',
    ok: Number(process.versions.node.split('.')[0]) >= 20,
    detail: `${process.execPath}: ${process.version}`,
    hint: 'install Node.js 20 or newer',
  };
  const relays = [...(await relayBackendChecks()), ...serverChecks()].map((c): DoctorCheck => ({ ...c, optional: true }));
  return [node, ...(await ffmpegChecks()), ...(await browserChecks()), ...relays, await networkDoctorCheck(), await browserlessCheck()];
}

/**
 * `lab doctor --clean`: ends what labs killed with kill -9 (or the OOM killer) left running — janus, turnserver,
 * socat, ffmpeg, Chromium, the clock source, the link emulator — from their run-state files (pid and start time
 * checked, so a recycled pid is never touched), removes their temporary folders and, as root, their namespaces and
 * interfaces. Returns one line per thing done.
 */
export async function cleanOrphans(): Promise<string[]> {
  const swept = await sweepOrphans();
  const lines = [...describeSwept(swept), ...swept.skipped.map((s) => `left alone: ${s}`)];
  if (process.getuid?.() === 0 && findSystemProgram('ip')) {
    const stale = await sweepStale();
    lines.push(...[...stale.namespaces, ...stale.links].map((name) => `removed ${name}`));
  }
  return lines;
}

/** Whether every required check passed (optional ones only inform). */
export function doctorPassed(checks: DoctorCheck[]): boolean {
  return checks.every((c) => c.ok || c.optional);
}

export function formatChecks(checks: DoctorCheck[]): string {
  return checks
    .map((c) => `${c.ok ? '✓' : c.optional ? '-' : '✗'} ${c.name}${c.optional ? ' (optional)' : ''}: ${c.detail}${!c.ok && c.hint ? `\n    fix: ${c.hint}` : ''}`)
    .join('\n');
}
