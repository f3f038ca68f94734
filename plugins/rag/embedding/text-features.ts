/**
 * Words for lexical matching: lower-cased, accents removed, split on anything that is not a letter or digit,
 * common English function words dropped, and a light suffix stemmer so "refunds", "refunded" and "refund"
 * meet. Shared by the local embedder and the keyword search of the in-memory index.
 */

const STOPWORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves also may might must shall us let lets get got tell please know want'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/** Lower-case, accents removed (NFKD without combining marks). */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** Every word of the text, folded, in order (stopwords included). */
export function words(text: string): string[] {
  return foldText(text).match(WORD) ?? [];
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

/**
 * A small English suffix stemmer (plural, -ing, -ed, -ly, -ies, -ment ...). Not Porter: it only needs to map
 * inflections of one word to one key, and to leave short words and numbers alone.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) w = undouble(w.slice(0, -2));
  if (w.length > 5 && w.endsWith('ly')) w = w.slice(0, -2);
  if (w.length > 6 && w.endsWith('ment')) w = w.slice(0, -4);
  if (w.length > 5 && w.endsWith('ation')) w = `${w.slice(0, -5)}ate`;
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  const n = w.length;
  if (n > 3 && w[n - 1] === w[n - 2] && !'lsz'.includes(w[n - 1])) return w.slice(0, -1);
  return w;
}

/** The words that carry meaning, stemmed, in order: what both the embedder and keyword search match on. */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) if (!STOPWORDS.has(word)) out.push(stem(word));
  return out;
}
