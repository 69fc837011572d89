import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ROOT, runLabWithin, type CliResult } from '../support/lab-cli.ts';

/**
 * The real command line with what a careless user hands it: each is refused with exit 2 and a short message naming
 * the field or flag, the value and what is allowed, before anything starts (nothing on stdout, where a run prints
 * its summary; no folder left where --out pointed). If a check were missing the command would start a real run: the child is killed after 60 s and the
 * test fails.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lab = (args: string[]) => runLabWithin(args);

/** `lab <args>` in a mount namespace of its own (unshare -m) after `setup` ran there: mounts never leak out. */
function labInMountNamespace(setup: string, args: string[]): Promise<CliResult> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('unshare', ['-m', 'sh', '-c', `${setup} && exec '${process.execPath}' bin/lab.js ${quoted}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}

/** Writes a scenario file into the test folder. */
function scenario(name: string, text: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** `lab run` refused: exit 2, the message, nothing started. */
async function refused(args: string[], message: RegExp): Promise<CliResult> {
  const result = await lab(['run', ...args]);
  expect(result.stderr).toMatch(message);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.length).toBeLessThan(2000);
  const out = args[args.indexOf('--out') + 1]!;
  if (out.startsWith(dir) && !out.includes('a-file')) expect(existsSync(out)).toBe(false);
  return result;
}

const SMALL = 'duration: 1\nwarmup: 0\npaths: [{ kind: hls, segmentDuration: 1 }]\n';

describe.concurrent('lab run refuses bad scenarios with exit 2 before anything starts', () => {
  it('a 50 MB file, by its size, without echoing it', async () => {
    const file = scenario('big.yaml', '');
    truncateSync(file, 50 * 1024 * 1024);
    await refused([file, '--out', join(dir, 'big')], /scenario .*big\.yaml is 52428800 bytes; the limit is 1048576 bytes/);
  });

  it('a binary file, as not text', async () => {
    const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 131) % 256));
    await refused([scenario('binary.yaml', bytes), '--out', join(dir, 'binary')], /is not a text file \(it holds NUL bytes\)/);
  });

  it('a text file that is no scenario: the value echoed is cut to ~80 characters', async () => {
    const result = await refused([scenario('prose.yaml', 'z'.repeat(900_000)), '--out', join(dir, 'prose')], /must be an object, got "z+… \(900002 characters\)/);
    expect(result.stderr.length).toBeLessThan(400);
  });

  it('segment and part durations shorter than one frame', async () => {
    await refused(
      [scenario('segment.yaml', `name: seg\n${SMALL.replace('segmentDuration: 1', 'segmentDuration: 1e-12')}`), '--out', join(dir, 'seg')],
      /paths\[0\]\.segmentDuration: 1e-12 s is shorter than one frame at 30 fps; it must be at least one frame, 0\.0333 s/,
    );
    await refused(
      [scenario('part.yaml', 'name: part\nduration: 1\npaths: [{ kind: ll-hls, segmentDuration: 1, partDuration: 1e-12 }]\n'), '--out', join(dir, 'part')],
      /paths\[0\]\.partDuration: 1e-12 s is shorter than one frame/,
    );
  });

  it('a sweep of three 3000-item lists, by the paths it would make, without making them', async () => {
    const list = (v: number) => `[${Array(3000).fill(v).join(', ')}]`;
    const text = `name: sweep\nduration: 1\npaths:\n  - kind: ll-hls\n    segmentDuration: ${list(1)}\n    partDuration: ${list(0.2)}\n    listSize: ${list(6)}\n`;
    await refused([scenario('sweep.yaml', text), '--out', join(dir, 'sweep')], /paths: the lists would make 27,000,000,000 paths .*a run takes at most 64 paths/);
  });

  it('a 300-character name', async () => {
    await refused([scenario('name.yaml', `name: ${'n'.repeat(300)}\n${SMALL}`), '--out', join(dir, 'name')], /name: must be at most 64 characters, got 300/);
  });
});

describe.concurrent('lab run refuses an --out it cannot use with exit 2 before anything starts', () => {
  const good = () => scenario('good.yaml', `name: good\n${SMALL}`);

  it('a file, and a folder under a file', async () => {
    const file = scenario('a-file', 'x');
    await refused([good(), '--out', file], /--out: .*a-file is a file, not a folder/);
    await refused([good(), '--out', join(file, 'run')], /--out: .*a-file\/run is under .*a-file, which is a file, not a folder/);
  });

  it('/proc and /sys, at once (no folder made there)', async () => {
    await refused([good(), '--out', '/proc/1/x'], /--out: \/proc\/1\/x is in \/proc \(proc\), where results cannot be written/);
    await refused([good(), '--out', '/sys/x'], /--out: \/sys\/x is in \/sys \(sysfs\), where results cannot be written/);
  });

  it('a folder on a read-only or full filesystem (a private mount namespace with a tmpfs of its own)', async () => {
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const inNamespace = (mount: string, then: string, out: string) =>
      labInMountNamespace(`mount -t tmpfs -o ${mount} tmpfs ${mnt} && ${then}`, ['run', good(), '--out', join(mnt, out)]);
    const readOnly = await inNamespace('ro', 'true', 'run');
    expect(readOnly.stderr).toMatch(/--out: cannot create .*mnt\/run: EROFS/);
    expect(readOnly.code).toBe(2);
    const full = await inNamespace('size=4k', `head -c 4096 /dev/zero > ${mnt}/fill`, 'run');
    expect(full.stderr).toMatch(/--out: cannot write in .*mnt\/run: ENOSPC/);
    expect(full.code).toBe(2);
  });
});
