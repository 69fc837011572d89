import { describe, expect, it } from 'vitest';
import { matchGlob, parseThreshold, ThresholdParseError, thresholdProblems } from '../../../harness/scenario/threshold-syntax.ts';
import { UsageError } from '../../../core/errors.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';

const ALLOWED = 'allowed: p(N), min, max, mean, firstFrame, stalls, freezes, undecodable, fps, connected, join(N), iceFailAfter, audio.p(N), avSync with <, <=, >, >=, ==';

describe('parseThreshold', () => {
  it.each([
    ['p(95)<150', 'p(95)', '<', 150, 'ms'],
    ['p(99.9) <= 300', 'p(99.9)', '<=', 300, 'ms'],
    [' p( 50 ) > 1000ms ', 'p(50)', '>', 1000, 'ms'],
    ['min>=10', 'min', '>=', 10, 'ms'],
    ['max<5e3', 'max', '<', 5000, 'ms'],
    ['mean<80 ms', 'mean', '<', 80, 'ms'],
    ['firstFrame<5000', 'firstFrame', '<', 5000, 'ms'],
    ['stalls==0', 'stalls', '==', 0, 'stalls'],
    ['undecodable<1%', 'undecodable', '<', 1, '%'],
    ['undecodable <= 0.5 %', 'undecodable', '<=', 0.5, '%'],
    ['fps>=25', 'fps', '>=', 25, 'fps'],
    ['p(0)>=1', 'p(0)', '>=', 1, 'ms'],
    ['p(100)<.5', 'p(100)', '<', 0.5, 'ms'],
    ['connected==100%', 'connected', '==', 100, '%'],
    ['join(95)<1500', 'join(95)', '<', 1500, 'ms'],
    ['join( 50 )<=900ms', 'join(50)', '<=', 900, 'ms'],
    ['iceFailAfter<20000', 'iceFailAfter', '<', 20000, 'ms'],
  ])('reads %j', (expression, metric, operator, limit, unit) => {
    const t = parseThreshold(expression);
    expect(t).toMatchObject({ metricName: metric, operator, limit, unit, source: expression });
  });

  it.each([
    ['', 'empty expression'],
    ['p(95)', 'no comparison operator'],
    ['p(95<150', 'missing ")" after "p(95"'],
    ['p(95))<150', 'unexpected ")" after "p(…)"'],
    ['p(x)<150', 'percentile "x" is not a number'],
    ['p(150)<150', 'percentile must be between 0 and 100, got 150'],
    ['p95<150', 'unknown metric "p95" (did you mean "p(95)"?)'],
    ['avg<150', 'unknown metric "avg"'],
    ['FirstFrame<5000', 'did you mean "firstFrame"?'],
    ['first_frame<5000', 'did you mean "firstFrame"?'],
    ['stalls=0', '"=" is not an operator; use "=="'],
    ['stalls!=1', '"!=" is not supported'],
    ['fps=>25', '"=>" is not an operator; use ">="'],
    ['<150', 'nothing before "<"'],
    ['p(95)<', 'nothing after "<"'],
    ['p(95)<abc', '"abc" is not a number'],
    ['p(95)<150s', '"150s" is not a number'],
    ['100<p(95)<200', 'only one comparison per expression'],
    ['undecodable<1', 'undecodable is a percentage of frames: write it like undecodable<1%'],
    ['p(95)<10%', '"%" only applies to undecodable, connected'],
    ['connected==100', 'connected is a percentage of WebRTC viewers: write it like connected==100%'],
    ['join95<1500', 'unknown metric "join95" (did you mean "join(95)"?)'],
    ['join(101)<1500', 'join percentile must be between 0 and 100, got 101'],
    ['join<1500', 'unknown metric "join"'],
    ['join(95)<1.5s', '"1.5s" is not a number'],
    ['iceFailAfter<20%', '"%" only applies to undecodable, connected; iceFailAfter is in ms'],
    ['stalls<3ms', 'stalls is not in ms'],
    ['mean<-5', 'mean cannot be negative'],
  ])('refuses %j', (expression, reason) => {
    let error: unknown;
    try {
      parseThreshold(expression);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ThresholdParseError);
    const message = (error as Error).message;
    expect(message.startsWith(`cannot parse ${JSON.stringify(expression)}: `)).toBe(true);
    expect(message).toContain(reason);
    expect(message.endsWith(ALLOWED)).toBe(true);
  });
});

describe('globs', () => {
  const ids = ['hls-1s', 'hls-2s', 'webrtc-h264', 'webrtc-vp8-mediasoup'];
  it('matches whole ids with * and ?', () => {
    expect(matchGlob('webrtc-*', ids)).toEqual(['webrtc-h264', 'webrtc-vp8-mediasoup']);
    expect(matchGlob('hls-?s', ids)).toEqual(['hls-1s', 'hls-2s']);
    expect(matchGlob('*', ids)).toEqual(ids);
    expect(matchGlob('hls', ids)).toEqual([]);
    expect(matchGlob('hls-1s', ids)).toEqual(['hls-1s']);
  });
});

describe('thresholdProblems / checkScenario', () => {
  it('names the field of each problem', () => {
    expect(thresholdProblems({ 'webrtc-*': ['p(95)<150', 'p(95<150'] }, ['webrtc-h264'])).toEqual([
      `thresholds["webrtc-*"][1]: cannot parse "p(95<150": missing ")" after "p(95"; ${ALLOWED}`,
    ]);
    expect(thresholdProblems({ 'WebRTC*': [] }, ['webrtc-h264'])[0]).toMatch(/^thresholds\["WebRTC\*"\]: a path id glob uses/);
    expect(thresholdProblems({ 'hls-*': ['p(50)<9000'] }, ['webrtc-h264'])).toEqual([
      'thresholds["hls-*"]: matches no path (paths: webrtc-h264)',
    ]);
    expect(thresholdProblems(undefined, ['a'])).toEqual([]);
  });

  it('makes a scenario with a malformed threshold a UsageError listing the problem', () => {
    const scenario = {
      name: 'x',
      paths: [{ kind: 'webrtc' }, { kind: 'hls', segmentDuration: 1 }],
      thresholds: { 'webrtc-*': ['p(95)<150', 'p(95<150'], 'hls-1s': ['undecodable<1%'] },
    };
    let error: unknown;
    try {
      parseScenario(scenario, 'ci.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).problems).toEqual([
      `thresholds["webrtc-*"][1]: cannot parse "p(95<150": missing ")" after "p(95"; ${ALLOWED}`,
    ]);
    expect((error as UsageError).exitCode).toBe(2);
  });

  it('accepts valid thresholds', () => {
    const scenario = parseScenario({
      name: 'x',
      paths: [{ kind: 'webrtc' }, { kind: 'hls', segmentDuration: 1 }],
      thresholds: { 'webrtc-*': ['p(95)<250'], 'hls-1s': ['p(50)>1000', 'p(50)<6000', 'undecodable<1%'] },
    });
    expect(Object.keys(scenario.thresholds ?? {})).toEqual(['webrtc-*', 'hls-1s']);
  });
});
