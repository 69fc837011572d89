/**
 * The lab's one seeded generator: same seed, same draws, on every machine. Used for the gate's bootstrap, the
 * userspace link emulator's losses and jitter, and synthetic test data.
 */

/** A source of uniform doubles in [0, 1). */
export type Random = () => number;

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator, 128-bit state; passes PractRand) seeded through
 * splitmix32, so that nearby seeds (1, 2, 3) give unrelated streams. Returns uniform doubles in [0, 1).
 */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A 32-bit FNV-1a hash, to derive independent seeds from names (e.g. one per path, whatever the path order). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
