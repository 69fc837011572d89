import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab } from '../support/lab-cli.ts';

/**
 * `playerConfig:` through the real command line: a key the path's player does not know, or a value of the wrong
 * type, exits 2 before anything starts, naming the field, the key and the player (and the closest known key).
 */
const dir = mkdtempSync(join(tmpdir(), 'lab-player-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, paths: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nduration: 5\npaths:\n${paths}`);
  return file;
}

describe('lab run refuses a bad playerConfig with exit 2', () => {
  it('a typo in a dash.js setting, a Shaka setting of the wrong type and an hls.js key given to video.js, all named', async () => {
    const file = scenario('typos', [
      '  - kind: ll-dash',
      '    playerConfig: { streaming: { liveCatchup: { enabeld: true } } }',
      '  - kind: ll-hls',
      '    player: shaka',
      "    playerConfig: { 'streaming.liveSync.targetLatency': 'one second' }",
      '  - kind: hls',
      '    player: videojs',
      '    playerConfig: { liveSyncDurationCount: 2 }',
      '',
    ].join('\n'));
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await runLab(['run', file, '--out', out]);
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('paths[0].playerConfig.streaming.liveCatchup.enabeld: unknown setting for dashjs (did you mean "streaming.liveCatchup.enabled"?)');
    expect(stderr).toContain('paths[1].playerConfig.streaming.liveSync.targetLatency: shaka expects a number, got "one second"');
    expect(stderr).toContain('paths[2].playerConfig.liveSyncDurationCount: unknown setting for videojs');
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('a player the path kind cannot use is refused by the schema, naming the choices', async () => {
    const { code, stderr } = await runLab(['run', scenario('wrong-player', '  - kind: ll-dash\n    player: hls.js\n'), '--out', join(dir, 'out2')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/paths\[0\]\.player: must be one of "dashjs" \| "shaka"/);
  }, 60_000);
});
