// "Did you mean ...": the known names closest to a misspelled one, by edit distance.

/** Levenshtein distance (insert, delete, substitute), with a swap of two neighbours counting once. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]!.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known names within a third of the name's length (at least 2) of it, ignoring case, nearest
 * first (ties in the order given), at most `limit` of them.
 */
export function closeMatches(name: string, known: Iterable<string>, limit = 3): string[] {
  const wanted = name.toLowerCase();
  const bound = Math.max(2, Math.floor(wanted.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const candidate of known) {
    if (Math.abs(candidate.length - wanted.length) > bound) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= bound) scored.push({ name: candidate, distance });
  }
  return scored.sort((x, y) => x.distance - y.distance).slice(0, limit).map((s) => s.name);
}

/** ` (did you mean "a" or "b"?)`, or nothing when no known name is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const matches = closeMatches(name, known);
  if (matches.length === 0) return '';
  return ` (did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?)`;
}
