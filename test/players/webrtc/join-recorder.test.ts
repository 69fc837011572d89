import { describe, expect, it } from 'vitest';
import { parseCandidateLine } from '../../../players/webrtc/join-recorder.ts';

describe('parseCandidateLine', () => {
  it('reads type and protocol from SDP and RTCIceCandidate candidate strings', () => {
    expect(parseCandidateLine('a=candidate:1 1 udp 2130706431 10.77.0.1 40001 typ host'.slice(2))).toEqual({ type: 'host', protocol: 'udp' });
    expect(parseCandidateLine('candidate:842163049 1 UDP 1677729535 198.51.100.7 61234 typ srflx raddr 10.0.0.2 rport 50000 generation 0')).toEqual({ type: 'srflx', protocol: 'udp' });
    expect(parseCandidateLine('candidate:3 1 tcp 1518280447 10.0.0.2 9 typ host tcptype active')).toEqual({ type: 'host', protocol: 'tcp' });
    expect(parseCandidateLine('candidate:4 1 udp 41885439 203.0.113.9 50123 typ relay raddr 0.0.0.0 rport 0')).toEqual({ type: 'relay', protocol: 'udp' });
  });

  it('gives null for a line that is not a candidate', () => {
    expect(parseCandidateLine('a=end-of-candidates')).toBeNull();
  });
});
