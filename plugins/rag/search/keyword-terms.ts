import { isStopword, words } from '../embedding/text-features.js';

const MAX_TERMS = 32;

/**
 * The words of a query worth matching in full-text search: folded, without stopwords, each once, at most 32.
 * Letters and digits only, so they can go into an FTS5 or tsquery expression as plain terms (the databases
 * stem them: porter on SQLite, the english configuration on Postgres).
 */
export function keywordTerms(query: string): string[] {
  const out: string[] = [];
  for (const word of words(query)) {
    if (word.length < 2 && !/\d/.test(word)) continue;
    if (isStopword(word) || out.includes(word)) continue;
    out.push(word);
    if (out.length === MAX_TERMS) break;
  }
  return out;
}
