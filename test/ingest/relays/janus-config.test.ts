import { describe, expect, it } from 'vitest';
import { janusConfigFiles, LOOPBACK_SHIM_C, mountpointRequest } from '../../../ingest/relays/janus-config.ts';

describe('Janus throwaway configuration', () => {
  const files = janusConfigFiles({
    dir: '/tmp/lab-janus',
    httpPort: 18088,
    iceAddresses: ['127.0.0.1'],
    icePorts: { min: 20100, max: 20199 },
    rtpPorts: { min: 20200, max: 20299 },
    adminKey: 'k',
    serverName: 'latency-lab-test',
  });
  const janus = files['janus.jcfg']!;
  const http = files['janus.transport.http.jcfg']!;

  it('loads plugins and transports from its own folder only (where just the streaming plugin and HTTP are linked)', () => {
    expect(janus).toContain('plugins_folder = "/tmp/lab-janus/plugins"');
    expect(janus).toContain('transports_folder = "/tmp/lab-janus/transports"');
    expect(janus).toContain('configs_folder = "/tmp/lab-janus"');
    expect(Object.keys(files).sort()).toEqual(['janus.jcfg', 'janus.plugin.streaming.jcfg', 'janus.transport.http.jcfg']);
  });

  it('gathers ICE on the lab addresses only, from a bounded port range, with no STUN/TURN, NAT mapping, mDNS or IPv6', () => {
    expect(janus).toContain('ice_enforce_list = "127.0.0.1"');
    expect(janus).toContain('rtp_port_range = "20100-20199"');
    expect(janus).toContain('ignore_mdns = true');
    expect(janus).toContain('ipv6 = false');
    expect(janus).toContain('broadcast = false');
    expect(janus).not.toMatch(/^\s*(stun_server|turn_server|turn_rest_api|nat_1_1_mapping)\s*=/m);
  });

  it('serves the Janus API on 127.0.0.1 over plain HTTP, without the admin API', () => {
    expect(http).toContain('ip = "127.0.0.1"');
    expect(http).toContain('port = 18088');
    expect(http).toMatch(/admin_http = false/);
    expect(http).toMatch(/https = false/);
    expect(files['janus.plugin.streaming.jcfg']).toContain('rtp_port_range = "20200-20299"');
  });

  it('creates an RTP mountpoint for the codec: H.264 constrained baseline with packetization-mode 1, or VP8', () => {
    const h264 = mountpointRequest({ id: 1, name: 'p', secret: 's', adminKey: 'k', codec: 'h264', payloadType: 102 });
    expect(h264).toMatchObject({ request: 'create', type: 'rtp', admin_key: 'k', permanent: false });
    expect(h264.media).toEqual([expect.objectContaining({ type: 'video', port: 0, iface: '127.0.0.1', pt: 102, codec: 'h264', fmtp: 'profile-level-id=42e01f;packetization-mode=1' })]);
    const vp8 = mountpointRequest({ id: 1, name: 'p', secret: 's', adminKey: 'k', codec: 'vp8', payloadType: 102 });
    expect((vp8.media as Array<Record<string, unknown>>)[0]).not.toHaveProperty('fmtp');
  });

  it('with audio, adds an Opus stream (mid a, pt 111, ingest on 127.0.0.1) next to the video; without, video only', () => {
    const base = { id: 1, name: 'p', secret: 's', adminKey: 'k', codec: 'h264' as const, payloadType: 102 };
    const media = mountpointRequest({ ...base, audio: true }).media as Array<Record<string, unknown>>;
    expect(media.map((m) => `${m.type} ${m.mid}`)).toEqual(['video v', 'audio a']);
    expect(media[1]).toEqual({ type: 'audio', mid: 'a', label: 'audio', port: 0, iface: '127.0.0.1', pt: 111, codec: 'opus' });
    expect((mountpointRequest(base).media as unknown[]).length).toBe(1);
  });

  it('its loopback shim only clears IFF_LOOPBACK in getifaddrs()', () => {
    expect(LOOPBACK_SHIM_C).toContain('dlsym(RTLD_NEXT, "getifaddrs")');
    expect(LOOPBACK_SHIM_C).toContain('&= ~IFF_LOOPBACK');
  });
});
