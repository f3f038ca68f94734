import type { EmbeddingPort } from '../../../core/index.js';
import { contentTerms, isStopword, stem, words } from './text-features.js';

/** Version of the feature recipe; part of the model name, so vectors of an older recipe are never mixed in. */
const RECIPE = 'v1';

// Weights of the three feature families, chosen on the labelled set in test/fixtures/rag by a small grid (docs/rag.md).
const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const CHAR_WEIGHT = 0.8;
const CHAR_GRAMS = [3, 4, 5] as const;

/**
 * The local embedder: **hashed word and character n-gram features**, not a neural model. Each text becomes a
 * bag of features — stemmed content words (weighted 1 + ln tf), pairs of neighbouring content words, and the
 * character 3-, 4- and 5-grams of each word — hashed with a random sign into a fixed number of dimensions,
 * then L2-normalised. Deterministic, offline, about 20 µs per 1,000 characters.
 *
 * It measures lexical overlap: "refund" matches "refunds" and "refunded" (stemming, character n-grams) and
 * misspellings partly match, but synonyms and paraphrases with other words do not. Use an OpenAI-compatible
 * model (`embedding.provider: openai`) for semantic similarity.
 *
 * @example
 * ```ts
 * const embedder = hashingEmbedder({ dimensions: 384 });
 * const [a, b] = await embedder.embed(['refund policy', 'How are refunds paid?']);
 * ```
 */
export function hashingEmbedder(options: { dimensions: number }): EmbeddingPort {
  const dimensions = options.dimensions;
  if (!Number.isInteger(dimensions) || dimensions < 16 || dimensions > 8192) throw new RangeError(`dimensions must be an integer in 16..8192, found ${dimensions}`);
  return {
    model: `local/hashed-ngrams-${RECIPE}-${dimensions}`,
    dimensions,
    async embed(texts, embedOptions) {
      const out: Float32Array[] = [];
      for (const text of texts) {
        if (embedOptions?.signal?.aborted) throw embedOptions.signal.reason;
        out.push(hashedFeatures(text, dimensions));
      }
      return out;
    },
  };
}

/** The normalised feature vector of one text (all zeros for a text without words). */
export function hashedFeatures(text: string, dimensions: number): Float32Array {
  const acc = new Float64Array(dimensions);
  const terms = contentTerms(text);
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  for (const [term, count] of counts) add(acc, hash(term, 0x9e3779b1), WORD_WEIGHT * (1 + Math.log(count)));
  for (let i = 1; i < terms.length; i++) add(acc, hash(`${terms[i - 1]} ${terms[i]}`, 0x85ebca77), BIGRAM_WEIGHT);
  // Character n-grams of each distinct content word (surface form, with boundary marks), sharing one weight per word.
  const seen = new Set<string>();
  for (const word of words(text)) {
    if (isStopword(word) || seen.has(word)) continue;
    seen.add(word);
    const marked = `<${word}>`;
    let grams = 0;
    for (const n of CHAR_GRAMS) grams += Math.max(0, marked.length - n + 1);
    if (grams === 0) continue;
    const weight = (CHAR_WEIGHT * (1 + Math.log(counts.get(stem(word)) ?? 1))) / Math.sqrt(grams);
    for (const n of CHAR_GRAMS) for (let i = 0; i + n <= marked.length; i++) add(acc, hashRange(marked, i, n), weight);
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += acc[i] * acc[i];
  const vector = new Float32Array(dimensions);
  if (norm === 0) return vector;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] = acc[i] * scale;
  return vector;
}

/** Adds `weight` at the hash's slot, with the sign from another bit (signed hashing keeps collisions unbiased). */
function add(acc: Float64Array, h: number, weight: number): void {
  const slot = (h >>> 1) % acc.length;
  acc[slot] += h & 1 ? weight : -weight;
}

/** FNV-1a over UTF-16 code units, then the murmur3 finaliser for well-mixed low bits. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

function hashRange(text: string, start: number, length: number): number {
  let h = (0x811c9dc5 ^ (0x27d4eb2f + length)) >>> 0;
  for (let i = start; i < start + length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
