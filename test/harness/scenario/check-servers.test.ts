import { describe, expect, it } from 'vitest';
import { deliveryOf, playbackHeaders, redactUrl } from '../../../harness/scenario/delivery.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { planRun } from '../../../harness/run/run-plan.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

const TOKEN_VAR = 'LAB_TEST_SERVER_TOKEN';

describe('paths served by nginx-rtmp, node-media-server or a server given by URL', () => {
  it('names the server in the id and records the server and protocols in and out', () => {
    const scenario = parseScenario({
      name: 'x',
      paths: [
        { kind: 'hls', server: 'nginx-rtmp', segmentDuration: 1 },
        { kind: 'flv' },
        { kind: 'hls', segmentDuration: 1, ingest: 'srt://127.0.0.1:9000?streamid=publish:abc&passphrase=secret1234', playback: 'http://127.0.0.1:8080/hls/abc.m3u8?token=xyz' },
        { kind: 'hls', segmentDuration: 1 },
      ],
    });
    const plan = planRun(scenario);
    expect(plan.paths.map((p) => p.id)).toEqual(['hls-1s-nginx-rtmp', 'flv', 'hls-1s-url', 'hls-1s']);
    expect(plan.paths.map((p) => p.delivery)).toEqual([
      { server: 'nginx-rtmp', protocolIn: 'rtmp', protocolOut: 'hls' },
      { server: 'node-media-server', protocolIn: 'rtmp', protocolOut: 'http-flv' },
      { server: 'url', protocolIn: 'srt', protocolOut: 'hls', ingestUrl: 'srt://127.0.0.1:9000?streamid=***&passphrase=***', playbackUrl: 'http://127.0.0.1:8080/hls/abc.m3u8?token=***' },
      { server: 'lab', protocolIn: 'ffmpeg-hls', protocolOut: 'hls' },
    ]);
    // One GOP divides every segment: the FLV path, which has none, does not constrain it.
    expect(plan.gop).toBe(30);
    expect(plan.paths[1]!.params).toEqual({ server: 'node-media-server', liveSync: true, join: 'steady', gop: 30, modelLatencyMs: 800, audio: { codec: 'aac', bitrateKbps: 64 } });
    expect(pathIdOf(parseScenario({ name: 'x', paths: [{ kind: 'flv', liveSync: false, playback: 'ws://127.0.0.1:1/live/a.flv' }] }).paths[0]!)).toBe('flv-url');
    expect(deliveryOf(parseScenario({ name: 'x', paths: [{ kind: 'flv', playback: 'ws://127.0.0.1:1/live/a.flv' }] }).paths[0]!).protocolOut).toBe('ws-flv');
  });

  it('serves DASH from nginx-rtmp with dash.js\'s own live delay (4 fragments) as the model', () => {
    const plan = planRun(parseScenario({ name: 'x', paths: [{ kind: 'dash', server: 'nginx-rtmp', segmentDuration: 1 }, { kind: 'dash', id: 'd2', playback: 'http://127.0.0.1:1/dash/a.mpd', playerConfig: { streaming: { delay: { liveDelay: 2.5 } } } }] }));
    expect(plan.paths[0]!.id).toBe('dash-1s-nginx-rtmp');
    expect(plan.paths[0]!.delivery).toEqual({ server: 'nginx-rtmp', protocolIn: 'rtmp', protocolOut: 'dash' });
    expect(plan.paths[0]!.params).toMatchObject({ targetLatency: 4, modelLatencyMs: 4000, player: 'dashjs' });
    expect(plan.paths[1]!.params).toMatchObject({ targetLatency: 2.5, modelLatencyMs: 2500 });
    expect(problemsOf({ name: 'x', paths: [{ kind: 'dash', server: 'nginx-rtmp', targetLatency: 3 }] })).toContain(
      'paths[0].targetLatency: targetLatency is the ServiceDescription of the lab\'s own MPD; nginx-rtmp writes its own MPD: set playerConfig streaming.delay.liveDelay instead',
    );
  });

  it('redacts passwords, query values and fragments of URLs it prints or stores', () => {
    expect(redactUrl('rtmp://user:pw@host:1935/live/key?sig=abc#frag')).toBe('rtmp://***:***@host:1935/live/key?sig=***#***');
    expect(redactUrl('not a url at all')).toBe('***');
  });

  it('refuses an ingest or playback scheme that does not fit the kind, naming the URL and what is allowed', () => {
    const problems = problemsOf({
      name: 'x',
      paths: [
        { kind: 'hls', ingest: 'http://127.0.0.1:1/live/a', playback: 'rtmp://127.0.0.1:1/live/a' },
        { kind: 'flv', playback: 'http://127.0.0.1:1/hls/a.m3u8' },
        { kind: 'hls', ingest: 'rtmp://127.0.0.1:1/live/a' },
        { kind: 'hls', server: 'nginx-rtmp', playback: 'http://127.0.0.1:1/a.m3u8', segmentType: 'fmp4' },
      ],
    });
    expect(problems).toContain('paths[0].ingest: "http://127.0.0.1:1/live/a" is a http:// URL; ingest takes rtmp://, rtmps://, srt://, rtsp:// (the encode is pushed there)');
    expect(problems).toContain('paths[0].playback: "rtmp://127.0.0.1:1/live/a" is a rtmp:// URL, which does not fit kind: hls; it takes http://, https:// (an HLS playlist)');
    expect(problems).toContain('paths[1].playback: "http://127.0.0.1:1/hls/a.m3u8" looks like an HLS playlist (.m3u8), which does not fit kind: flv; use kind: hls or give an HTTP-FLV or WebSocket-FLV stream');
    expect(problems).toContain('paths[2].ingest: a server given by URL needs playback: too (the URL its viewers play)');
    expect(problems).toContain('paths[3].server: server: nginx-rtmp and playback: exclude each other (playback: plays a server the lab does not run)');
    expect(problems).toContain('paths[3].segmentType: nginx-rtmp packages HLS as MPEG-TS only; drop segmentType: fmp4 or use server: lab');
  });

  it('refuses an unset token variable, a literal token and headers without playback; never echoes a value', () => {
    delete process.env[TOKEN_VAR];
    const problems = problemsOf({
      name: 'x',
      paths: [
        { kind: 'hls', playback: 'http://127.0.0.1:1/a.m3u8', token: `\${env:${TOKEN_VAR}}`, headers: { 'X-Key': '${env:LAB_TEST_UNSET_HEADER}' } },
        { kind: 'flv', id: 'f2', playback: 'http://127.0.0.1:1/live/a.flv', token: 'hunter2' },
        { kind: 'flv', id: 'f3', headers: { 'X-Key': 'v' } },
      ],
    });
    expect(problems).toContain(`paths[0].token: environment variable ${TOKEN_VAR} is not set (the value is \${env:${TOKEN_VAR}})`);
    expect(problems).toContain('paths[0].headers.X-Key: environment variable LAB_TEST_UNSET_HEADER is not set (the value is ${env:LAB_TEST_UNSET_HEADER})');
    expect(problems).toContain('paths[1].token: give the token as ${env:NAME} (an environment variable), so that it is in no file the lab reads or writes');
    expect(problems).toContain('paths[2].headers: headers go with the playback requests of a server given by URL; this path has no playback:');
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('refuses a loopback playback URL for viewers behind a network link', () => {
    const problems = problemsOf({ name: 'x', network: { delayMs: 10 }, paths: [{ kind: 'flv', playback: 'http://localhost:1/live/a.flv' }] });
    expect(problems.join('\n')).toMatch(/paths\[0\]\.playback: "http:\/\/localhost:1\/live\/a\.flv" is on loopback/);
  });

  it('resolves the headers and the bearer token from the environment only when the run starts', () => {
    process.env[TOKEN_VAR] = 'tok-123';
    try {
      const scenario = parseScenario({ name: 'x', paths: [{ kind: 'hls', playback: 'http://127.0.0.1:1/a.m3u8', token: `\${env:${TOKEN_VAR}}`, headers: { 'X-Client': 'lab-${env:' + TOKEN_VAR + '}' } }] });
      expect(JSON.stringify(scenario)).not.toContain('tok-123');
      expect(playbackHeaders(scenario.paths[0]!, 'path "x"')).toEqual({ 'X-Client': 'lab-tok-123', authorization: 'Bearer tok-123' });
    } finally {
      delete process.env[TOKEN_VAR];
    }
  });
});
