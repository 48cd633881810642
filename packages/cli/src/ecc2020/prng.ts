/** mulberry32: a tiny deterministic PRNG with a 32-bit state; the same seed always yields the same sequence. */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Picks an index with probability proportional to its weight. */
export const weightedIndex = (random: () => number, weights: readonly number[]): number => {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let target = random() * total;
  for (let index = 0; index < weights.length; index++) {
    target -= weights[index]!;
    if (target < 0) return index;
  }
  return weights.length - 1;
};

/** Shuffles a copy of `items` (Fisher–Yates) with the given random source. */
export const shuffled = <T>(random: () => number, items: readonly T[]): T[] => {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
};
