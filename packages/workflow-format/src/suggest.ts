/** "did you mean" for typos: candidates within a small edit distance. */

export function editDistance(a: string, b: string): number {
  // Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions).
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** Close matches of `word` among `candidates`, best first (case-insensitive, kebab/camel/snake agnostic). */
export function closeMatches(word: string, candidates: Iterable<string>, max = 2): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const w = norm(word);
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    if (c === word) continue;
    const n = norm(c);
    const d = n === w ? 0 : editDistance(w, n);
    if (d <= limit) scored.push([c, d]);
    else if (w.length >= 3 && n.startsWith(w)) scored.push([c, limit + 1]); // `edr` → `edr-connector`
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, max).map(([c]) => c);
}

/** ` (did you mean "settings"?)` or ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const matches = closeMatches(word, candidates);
  if (!matches.length) return '';
  return `; did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?`;
}
