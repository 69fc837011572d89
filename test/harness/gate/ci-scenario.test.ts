import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseThreshold } from '../../../harness/scenario/threshold-syntax.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { loadScenario } from '../../../harness/scenario/load-scenario.ts';

describe('scenarios/ci.yaml', () => {
  it('is a valid 20 s HLS 1 s + WebRTC H.264 scenario with parseable thresholds for both paths', () => {
    expect(readFileSync('scenarios/ci.yaml', 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./scenario.schema.json');
    const scenario = loadScenario('scenarios/ci.yaml');
    expect(scenario).toMatchObject({ name: 'ci', duration: 20 });
    expect(scenario.paths.map(pathIdOf)).toEqual(['hls-1s', 'webrtc-h264']);
    const thresholds = scenario.thresholds!;
    expect(thresholds['webrtc-*']).toEqual(expect.arrayContaining(['p(95)<500', 'audio.p(50)<400', 'avSync<250']));
    for (const list of Object.values(thresholds)) {
      expect(list).toContain('undecodable<1%');
      for (const expression of list) expect(() => parseThreshold(expression)).not.toThrow();
    }
    const hlsMedian = thresholds['hls-1s']!.map(parseThreshold).filter((t) => t.metricName === 'p(50)');
    expect(hlsMedian.map((t) => `${t.operator}${t.limit}`)).toEqual(['>=3000', '<=5000']);
  });
});
