/**
 * One colour per path, used by every table swatch and chart: Okabe–Ito (colour-blind safe) first, then Paul Tol's
 * muted set. Yellow and black are left out (unreadable on white, confused with the axes).
 */
export const PATH_COLOURS = [
  '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9',
  '#882255', '#44AA99', '#999933', '#332288', '#AA4499', '#117733',
] as const;

export function pathColour(index: number): string {
  return PATH_COLOURS[((index % PATH_COLOURS.length) + PATH_COLOURS.length) % PATH_COLOURS.length]!;
}

/** `#rrggbb` blended towards white (amount > 0) or black (amount < 0), amount in −1..1. */
export function shade(hex: string, amount: number): string {
  const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const target = amount >= 0 ? 255 : 0;
  const a = Math.min(1, Math.abs(amount));
  return `#${rgb.map((c) => Math.round(c + (target - c) * a).toString(16).padStart(2, '0')).join('')}`;
}

/** `#rrggbb` as `rgba(r, g, b, alpha)`. */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Distinct shades of a path colour for its viewers (viewer 0 is the path colour itself). */
export function viewerColour(hex: string, index: number, count: number): string {
  if (count <= 1 || index === 0) return hex;
  const step = 0.6 / Math.max(1, count - 1);
  return shade(hex, index % 2 === 1 ? -Math.min(0.5, step * index) : Math.min(0.6, step * index));
}
