import type { Scenario } from '../scenario/schema.ts';
import { findSystemProgram, requireNetwork } from '../network/network-capabilities.ts';
import { sweepStale } from '../network/stale-sweep.ts';

export function wantsNetwork(scenario: Scenario): boolean {
  return scenario.network !== undefined || scenario.paths.some((p) => p.network !== undefined);
}

/**
 * Before a run starts anything: a scenario that asks for impairment on a machine that cannot provide it stops here
 * (NetworkUnavailableError, exit 2, with the reason and the fix); then namespaces and interfaces left by crashed runs
 * are swept (as root; quietly skipped otherwise). Resolves with what was swept, for a notice.
 */
export async function networkPreflight(scenarios: Scenario[]): Promise<string[]> {
  const needed = scenarios.find(wantsNetwork);
  if (needed) await requireNetwork(`scenario "${needed.name}"`);
  if (process.getuid?.() !== 0 || !findSystemProgram('ip')) return [];
  try {
    const swept = await sweepStale();
    return [...swept.namespaces, ...swept.links];
  } catch {
    return [];
  }
}
