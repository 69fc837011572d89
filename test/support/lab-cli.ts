import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/lab.js ...args` in the project root. */
export function startLab(args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['bin/lab.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export function runLab(args: string[]): Promise<CliResult> {
  return startLab(args).done;
}

/**
 * Runs the lab like runLab, but kills it after `limitMs`: for commands that must refuse their input before starting
 * anything (if a check were missing they would start a real run, and the test fails instead of waiting for it).
 */
export async function runLabWithin(args: string[], limitMs = 60_000): Promise<CliResult> {
  const run = startLab(args);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), limitMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Command lines of live processes that a lab run starts (ffmpeg, Chromium, the clock source). */
export function labChildren(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(`${tmpdir()}/latency-lab-`) || /clock-source-main\.ts|rtp:\/\/127\.0\.0\.1/.test(line))
    .filter((line) => !line.includes(' ps -eo') && !/\bflock\b/.test(line)); // a developer's job lock is not a lab child
}

/** Polls `predicate` every 200 ms until it holds; rejects after timeoutMs. */
export function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(tick, 200);
    };
    tick();
  });
}
