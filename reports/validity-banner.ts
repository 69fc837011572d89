import type { Results } from '../harness/results/types.ts';
import { escapeHtml as esc } from './html.ts';

/**
 * The validity verdict at the top of the report: a loud banner listing every reason when the run is degraded (the
 * machine or the instrument could not keep real time, so its figures are suspect), nothing when it is valid or
 * when the results predate the verdict.
 */
export function validityBannerHtml(results: Results): string {
  const validity = results.validity;
  if (!validity || validity.verdict !== 'degraded') return '';
  const reasons = validity.reasons
    .map((r) => `<li data-code="${esc(r.code)}"><code>${esc(r.code)}</code> ${esc(r.message)}</li>`)
    .join('');
  return `<div class="banner banner-degraded" role="alert" data-verdict="degraded"><strong>DEGRADED RUN</strong> — the machine or the instrument could not keep real time while this run measured, so its figures cannot be trusted as measured (the gate calls it inconclusive, exit 98):<ul>${reasons}</ul></div>`;
}
