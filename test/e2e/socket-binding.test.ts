import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { startLab } from '../support/lab-cli.ts';

/**
 * During a real run (HLS + WebRTC through werift, real ffmpeg and Chromium), nothing the lab or its children
 * listen on is a wildcard address: the lab server, werift's ICE and RTP ingest and ffmpeg's RTP sockets are on
 * loopback, and Chromium's ICE sockets on each interface's own address (it enumerates interfaces because the
 * WebRTC viewer's page may capture; see harness/browser/viewer.ts). Run it under the heavy-job lock.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-sockets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `root` and every process below it (from /proc/<pid>/stat's ppid). */
function processTree(root: number): Map<number, string> {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      name.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const tree = new Map<number, string>([[root, name.get(root) ?? '?']]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.set(pid, name.get(pid) ?? '?');
        grew = true;
      }
    }
  }
  return tree;
}

interface Listening {
  proto: string;
  local: string;
  pid: number;
  process: string;
}

/** Listening TCP and bound UDP sockets (ss -l) of the given processes. */
function listeningSockets(pids: Map<number, string>): Listening[] {
  const out = execFileSync('ss', ['-H', '-l', '-n', '-p', '-t', '-u'], { encoding: 'utf8' });
  return out.split('\n').flatMap((line) => {
    const columns = line.trim().split(/\s+/);
    return [...line.matchAll(/pid=(\d+),/g)]
      .map((m) => Number(m[1]))
      .filter((pid) => pids.has(pid))
      .map((pid) => ({ proto: columns[0] ?? '', local: columns[4] ?? '', pid, process: pids.get(pid)! }));
  });
}

const isWildcard = (local: string) => /^(0\.0\.0\.0|\*|\[::\]|\[::ffff:0\.0\.0\.0\]):\d+$/.test(local);

describe('what a run listens on', () => {
  it('binds no socket of the lab or its children to 0.0.0.0 or ::, and the lab\'s own to loopback', async () => {
    const out = join(dir, 'run');
    const run = startLab(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '6']);
    let seen: Listening[] = [];
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Once measuring, every component is up: ffmpeg's RTP, werift's ICE, Chromium's WebRTC and the lab server.
      if (!seen.length && stderr.includes('measuring')) seen = listeningSockets(processTree(run.child.pid!));
    });
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.paths.find((p) => p.kind === 'webrtc')!.framesMeasured).toBeGreaterThan(60); // tokens work in the real page

    const processes = new Set(seen.map((s) => s.process));
    expect(processes.has('node')).toBe(true);
    expect(processes.has('ffmpeg')).toBe(true);
    expect(seen.filter((s) => s.process === 'ffmpeg' && s.proto === 'udp').length).toBeGreaterThanOrEqual(2); // RTP + RTCP
    const show = (list: Listening[]) => list.map((s) => `${s.process} ${s.proto} ${s.local}`);
    expect(seen.some((s) => s.process === 'chromium' && s.proto === 'udp')).toBe(true); // the viewer's ICE sockets
    expect(show(seen.filter((s) => isWildcard(s.local)))).toEqual([]);
    // The lab's own sockets (lab server, werift, ffmpeg) are on loopback; Chromium binds each interface's address.
    expect(show(seen.filter((s) => s.process !== 'chromium' && !s.local.startsWith('127.')))).toEqual([]);
  });
});
