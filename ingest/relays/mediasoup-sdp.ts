import type { types as ms } from 'mediasoup';
import { SessionDescriptionError } from './relay.ts';

/**
 * Turns a mediasoup WebRtcTransport and a Consumer into the SDP offer a plain RTCPeerConnection can answer: the same
 * translation mediasoup-client's RemoteSdp does in the browser for a receiving transport, done on the server so the
 * lab's player stays backend-agnostic (offer in, answer out). mediasoup is ICE-lite and DTLS `auto`: the offer says
 * `actpass`, the browser picks `active`, and its answer's fingerprint and role go back through dtlsParametersOf().
 */
export interface ConsumerOfferInput {
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
  /** The video consumer's RTP parameters (its m-line comes first). */
  rtpParameters: ms.RtpParameters;
  /** Stream / track ids for a=msid. */
  streamId: string;
  trackId: string;
  /** The audio consumer (paths with `audio`): a second m-line in the same stream (same msid stream id: lip sync). */
  audio?: { rtpParameters: ms.RtpParameters; trackId: string };
  /** o= session id (digits). */
  sessionId: string;
}

function fmtp(parameters: Record<string, unknown> | undefined): string | undefined {
  const entries = Object.entries(parameters ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(';') : undefined;
}

/** One send-only m-line of a consumer (video or audio), bundled on the transport's one ICE/DTLS association. */
function mediaSection(input: ConsumerOfferInput, kind: 'video' | 'audio', rtpParameters: ms.RtpParameters, mid: string, trackId: string): string[] {
  const { iceParameters, iceCandidates } = input;
  const encoding = rtpParameters.encodings?.[0];
  if (!encoding?.ssrc) throw new SessionDescriptionError(`mediasoup ${kind} consumer has no SSRC to offer`);
  const cname = rtpParameters.rtcp?.cname ?? 'mediasoup';
  const address = iceCandidates[0]?.address ?? iceCandidates[0]?.ip ?? '127.0.0.1';
  const lines = [
    `m=${kind} 7 UDP/TLS/RTP/SAVPF ${rtpParameters.codecs.map((c) => c.payloadType).join(' ')}`,
    `c=IN IP4 ${address}`,
    `a=mid:${mid}`,
    'a=sendonly',
    `a=ice-ufrag:${iceParameters.usernameFragment}`,
    `a=ice-pwd:${iceParameters.password}`,
    'a=setup:actpass',
    'a=rtcp-mux',
    ...(rtpParameters.rtcp?.reducedSize === false ? [] : ['a=rtcp-rsize']),
  ];
  for (const codec of rtpParameters.codecs) {
    const [, name] = codec.mimeType.split('/');
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : ''}`);
    for (const fb of codec.rtcpFeedback ?? []) lines.push(`a=rtcp-fb:${codec.payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`);
    const params = fmtp(codec.parameters);
    if (params) lines.push(`a=fmtp:${codec.payloadType} ${params}`);
  }
  for (const ext of rtpParameters.headerExtensions ?? []) lines.push(`a=extmap:${ext.id} ${ext.uri}`);
  const msid = `${input.streamId} ${trackId}`;
  lines.push(`a=msid:${msid}`);
  if (encoding.rtx?.ssrc) lines.push(`a=ssrc-group:FID ${encoding.ssrc} ${encoding.rtx.ssrc}`);
  for (const ssrc of [encoding.ssrc, encoding.rtx?.ssrc].filter((s): s is number => s !== undefined)) {
    lines.push(`a=ssrc:${ssrc} cname:${cname}`, `a=ssrc:${ssrc} msid:${msid}`);
  }
  for (const c of iceCandidates) {
    lines.push(`a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address ?? c.ip} ${c.port} typ ${c.type}${c.tcpType ? ` tcptype ${c.tcpType}` : ''}`);
  }
  lines.push('a=end-of-candidates');
  return lines;
}

export function consumerOffer(input: ConsumerOfferInput): string {
  const { iceParameters, dtlsParameters, rtpParameters, audio } = input;
  const fingerprint = dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? dtlsParameters.fingerprints[0];
  if (!fingerprint) throw new SessionDescriptionError('mediasoup transport has no DTLS fingerprint to offer');
  const mid = rtpParameters.mid ?? '0';
  const audioMid = audio ? (audio.rtpParameters.mid ?? '1') : undefined;
  if (audioMid === mid) throw new SessionDescriptionError(`mediasoup gave the video and audio consumers the same mid (${mid})`);
  const lines = [
    'v=0',
    `o=mediasoup-lab ${input.sessionId} 1 IN IP4 0.0.0.0`,
    's=-',
    't=0 0',
    ...(iceParameters.iceLite === false ? [] : ['a=ice-lite']),
    `a=group:BUNDLE ${[mid, ...(audioMid ? [audioMid] : [])].join(' ')}`,
    'a=msid-semantic: WMS *',
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value.toUpperCase()}`,
    ...mediaSection(input, 'video', rtpParameters, mid, input.trackId),
    ...(audio && audioMid ? mediaSection(input, 'audio', audio.rtpParameters, audioMid, audio.trackId) : []),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The browser's DTLS parameters from its answer, as mediasoup's transport.connect() wants them: the fingerprint
 * and the browser's own role (`a=setup:active` → it is the DTLS client, so mediasoup acts as server).
 */
export function dtlsParametersOf(answerSdp: string): ms.DtlsParameters {
  const fingerprint = /^a=fingerprint:(\S+) (\S+)\s*$/m.exec(answerSdp);
  if (!fingerprint) throw new SessionDescriptionError('the answer has no a=fingerprint line (DTLS needs it)');
  const setup = /^a=setup:(\S+)\s*$/m.exec(answerSdp)?.[1] ?? 'active';
  if (setup !== 'active' && setup !== 'passive') throw new SessionDescriptionError(`the answer must choose a DTLS role (a=setup:active|passive), got "${setup}"`);
  return {
    role: setup === 'active' ? 'client' : 'server',
    fingerprints: [{ algorithm: fingerprint[1]!.toLowerCase() as ms.FingerprintAlgorithm, value: fingerprint[2]!.toUpperCase() }],
  };
}
