/** Number formatting shared by the server-rendered tables and the page's chart labels (no Node or DOM imports). */

export const DASH = '—';

/** Latency in ms for tables: 2 decimals below 10 ms, 1 below 1000 ms, whole ms above. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  const text = abs < 10 ? value.toFixed(2) : abs < 1000 ? value.toFixed(1) : String(Math.round(value));
  return text === '-0.00' || text === '-0.0' || text === '-0' ? text.slice(1) : text;
}

/** Signed latency difference (measured − model): "+1234", "−56.0" (a real minus sign). */
export function formatSignedMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = formatMs(Math.abs(value));
  if (text === formatMs(0)) return text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** Axis / tooltip label: "45 ms", "1.5 s", "12 s". */
export function formatAxisMs(value: number): string {
  if (!Number.isFinite(value)) return '';
  const abs = Math.abs(value);
  if (abs >= 1000) return `${trimZeros((value / 1000).toFixed(abs >= 10_000 ? 0 : 2))} s`;
  if (abs >= 10 || abs === 0) return `${Math.round(value)} ms`;
  return `${trimZeros(value.toFixed(abs >= 1 ? 1 : 2))} ms`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Whole numbers with thin-space thousands separators (locale independent). */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const sign = value < 0 ? '−' : '';
  return sign + String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** "42.3 s", "12 min 03 s", "1 h 02 min 05 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h} h ${pad(m)} min ${pad(s)} s` : `${m} min ${pad(s)} s`;
}

/** "N.N× slower" (hyperfine style) for a ratio ≥ 1 against the fastest path. */
export function formatSlower(ratio: number): string {
  const digits = ratio >= 100 ? 0 : 1;
  return `${ratio.toFixed(digits)}× slower`;
}

/** "2025-11-25 08:02:13 UTC" for an ISO timestamp (the text itself when it does not parse). */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
