import { createHash, generateKeyPairSync } from 'node:crypto';

/**
 * A throwaway TLS key per namespaced path, for TURN over TLS (ice.turn: tls). The key is made when the path's link
 * is created, before its Chromium starts, so that browser can be told to trust exactly this key
 * (`--ignore-certificate-errors-spki-list=<sha256 of its SubjectPublicKeyInfo>`, a per-browser flag: no system or
 * NSS trust store is touched). The TURN server later wraps the key in a self-signed certificate for the path's host
 * address (turn-server.ts). Kept in memory only, keyed by that host address; dropped when the link closes.
 */
export interface TlsIdentity {
  /** PKCS#8 PEM of the private key (P-256). */
  keyPem: string;
  /** base64 SHA-256 of the DER SubjectPublicKeyInfo: what Chromium's SPKI list names. */
  spkiSha256: string;
}

const identities = new Map<string, TlsIdentity>();

export function createTlsIdentity(address: string): TlsIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const identity = { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), spkiSha256: createHash('sha256').update(spki).digest('base64') };
  identities.set(address, identity);
  return identity;
}

/** The identity of the namespaced path whose servers listen on `address`, if there is one. */
export function tlsIdentityFor(address: string): TlsIdentity | undefined {
  return identities.get(address);
}

export function dropTlsIdentity(address: string): void {
  identities.delete(address);
}

/** Chromium flags that make one browser trust this key (and nothing else beyond its normal trust). */
export function browserTrustArgs(identity: TlsIdentity): string[] {
  return [`--ignore-certificate-errors-spki-list=${identity.spkiSha256}`];
}
