/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each list votes 1 / (k + rank) for each of
 * its items (rank from 1), and items are ordered by the sum of their votes. It needs no score calibration
 * between lists (cosine similarities and bm25 scores are not comparable), and k = 60 keeps one list's top hit
 * from outweighing agreement between lists.
 *
 * @example
 * ```ts
 * reciprocalRankFusion([['a', 'b', 'c'], ['c', 'a']]);  // a (1/61 + 1/62), c (1/63 + 1/61), b (1/62)
 * ```
 */
export function reciprocalRankFusion(lists: readonly (readonly string[])[], k = 60): { id: string; score: number }[] {
  const scores = new Map<string, { score: number; first: number }>();
  let seen = 0;
  for (const list of lists) {
    list.forEach((id, i) => {
      const entry = scores.get(id);
      const vote = 1 / (k + i + 1);
      if (entry) entry.score += vote;
      else scores.set(id, { score: vote, first: seen++ });
    });
  }
  return [...scores]
    .sort(([, a], [, b]) => b.score - a.score || a.first - b.first)
    .map(([id, { score }]) => ({ id, score }));
}
