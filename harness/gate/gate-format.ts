/** Number formatting shared by the gate's text, Markdown and JUnit outputs. */

/** `6170`, `31.2`, `0.85`: whole ms from 1000 up, one decimal from 1, two below. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 1 ? 1 : 2;
  const text = value.toFixed(digits);
  return /^-0(?:\.0+)?$/.test(text) ? text.slice(1) : text;
}

/** `+10.5%` / `-3.0%` from a fraction (0.105). */
export function formatPercent(fraction: number): string {
  const text = (fraction * 100).toFixed(1);
  if (/^-?0\.0$/.test(text)) return '+0.0%';
  return `${fraction > 0 ? '+' : ''}${text}%`;
}

/** `10%` from 0.1, without a sign and without trailing zeros. */
export function formatTolerance(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}
