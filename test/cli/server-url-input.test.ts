import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab } from '../support/lab-cli.ts';

/**
 * A server given by URL, set up wrong: `lab run` exits 2 naming the field, the (redacted) URL and what is allowed,
 * before anything starts — nothing printed on stdout, no results folder, no child or temporary folder ever recorded
 * in the lab's run-state folder. Only loopback URLs appear, and none is contacted.
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-server-url-input-'));
const stateDir = join(dir, 'state');
process.env.LATENCY_LAB_STATE_DIR = stateDir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(name: string, path: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nduration: 1\nwarmup: 0\npaths:\n  - ${path}\n`);
  const out = join(dir, `${name}-out`);
  const result = await runLab(['run', file, '--out', out]);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(existsSync(out)).toBe(false);
  expect(existsSync(stateDir) ? readdirSync(stateDir) : []).toEqual([]);
  return result.stderr;
}

describe('lab run refuses a server given by URL that cannot work, with exit 2 before anything starts', () => {
  it('an ingest or playback scheme that does not fit the kind', async () => {
    const stderr = await refused('scheme', '{ kind: hls, ingest: "http://127.0.0.1:9/live/a?key=s3cret", playback: "rtmp://127.0.0.1:9/live/a" }');
    expect(stderr).toContain('paths[0].ingest: "http://127.0.0.1:9/live/a?key=***" is a http:// URL; ingest takes rtmp://, rtmps://, srt://, rtsp://');
    expect(stderr).toContain('paths[0].playback: "rtmp://127.0.0.1:9/live/a" is a rtmp:// URL, which does not fit kind: hls; it takes http://, https://');
    expect(stderr).not.toContain('s3cret');
    const flv = await refused('flv-m3u8', '{ kind: flv, ingest: "rtmp://127.0.0.1:9/live/a", playback: "http://127.0.0.1:9/hls/a.m3u8" }');
    expect(flv).toContain('looks like an HLS playlist (.m3u8), which does not fit kind: flv');
  });

  it('a token whose environment variable is not set', async () => {
    delete process.env.LAB_TEST_NEVER_SET_TOKEN;
    const stderr = await refused('token', '{ kind: flv, playback: "http://127.0.0.1:9/live/a.flv", token: "${env:LAB_TEST_NEVER_SET_TOKEN}" }');
    expect(stderr).toContain('paths[0].token: environment variable LAB_TEST_NEVER_SET_TOKEN is not set');
  });
});
