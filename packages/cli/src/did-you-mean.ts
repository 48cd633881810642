/** The Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`. */
export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
};

/**
 * The candidate closest to `word` (ignoring case), or `undefined` when none is close enough to be what was meant: at
 * most a third of the longer word's characters apart (at least one edit allowed), so "atendance" finds "attendance"
 * and "speakers" finds nothing among the conference read models. Ties go to the earlier candidate.
 */
export const closestMatch = (word: string, candidates: readonly string[]): string | undefined => {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
};
