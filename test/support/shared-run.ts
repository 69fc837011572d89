import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runLab } from './lab-cli.ts';

const DIR = join(ROOT, 'test/.artifacts/shared-run');
let pending: Promise<string> | undefined;

/**
 * The folder of one real short run (test/fixtures/e2e.yaml: HLS 1 s + WebRTC, real ffmpeg and Chromium), made once
 * per test process and reused by the tests that only read results (report, gate). Test files run one at a time
 * (vitest.config.ts), so a run left by an earlier file in this session is reused.
 */
export function sharedRunDir(): Promise<string> {
  pending ??= (async () => {
    const marker = join(DIR, 'results.json');
    const session = process.env.LAB_TEST_SESSION;
    const sessionMarker = join(DIR, `.session-${session}`);
    if (session && existsSync(marker) && existsSync(sessionMarker)) return DIR;
    rmSync(DIR, { recursive: true, force: true });
    const result = await runLab(['run', 'test/fixtures/e2e.yaml', '--out', DIR, '--quiet']);
    if (result.code !== 0) throw new Error(`shared run failed (exit ${result.code}):\n${result.stderr}\n${result.stdout}`);
    if (session) (await import('node:fs')).writeFileSync(sessionMarker, '');
    return DIR;
  })();
  return pending;
}
