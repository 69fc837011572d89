import { findSystemProgram, probeNetwork } from './network-capabilities.ts';

/** `lab doctor`'s line on network impairment (optional: only scenarios with `network` need it). */
export async function networkDoctorCheck(): Promise<{ name: string; ok: boolean; detail: string; hint?: string; optional: true }> {
  const caps = await probeNetwork().catch((err: Error) => ({ available: false, detail: err.message, problems: [err.message], backend: null }));
  // NAT routers (network.nat) also need nft; without it only those scenarios exit 2.
  const nat = findSystemProgram('nft') ? 'NAT routers (network.nat): nft present' : 'NAT routers (network.nat) unavailable: install nftables (npm run setup)';
  if (caps.available) return { name: 'network impairment', ok: true, detail: `available (${caps.detail}); ${nat}`, optional: true };
  return {
    name: 'network impairment',
    ok: false,
    detail: 'unavailable: scenarios with `network` exit 2',
    hint: caps.problems.join('; '),
    optional: true,
  };
}
