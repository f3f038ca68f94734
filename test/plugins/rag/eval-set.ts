// The labelled evaluation set of test/fixtures/rag: 29 documents (Markdown, HTML, text) on distinct topics, and
// questions each with the passage that answers it. A question is a hit at k when one of the first k chunks
// retrieved comes from the right document and contains the whole passage (whitespace aside).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ORG, type VectorHit, type VectorIndexPort } from '../../../core/index.js';
import { collectFiles, type DocumentIngestion } from '../../../plugins/rag/index.js';

export const fixturesDir = fileURLToPath(new URL('../../fixtures/rag/docs', import.meta.url));

export interface LabelledQuestion {
  readonly question: string;
  readonly source: string;
  readonly passage: string;
}

export const questions: readonly LabelledQuestion[] = JSON.parse(readFileSync(new URL('../../fixtures/rag/questions.json', import.meta.url), 'utf8'));

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Ingests every fixture document (sources relative to the docs folder) into `collection`. */
export async function ingestFixtures(ingestion: DocumentIngestion, collection?: string): Promise<number> {
  const { files } = await collectFiles([fixturesDir], fixturesDir, (path) => ingestion.formatFor(path) !== undefined);
  let chunks = 0;
  for (const file of files) chunks += (await ingestion.ingest(DEFAULT_ORG, { source: file.source, content: readFileSync(file.path), collection })).chunks;
  return chunks;
}

export function isAnswer(hit: VectorHit, question: LabelledQuestion): boolean {
  return hit.source === question.source && flat(hit.text).includes(flat(question.passage));
}

export interface EvalReport {
  readonly questions: number;
  readonly hitAt1: number;
  readonly hitAt5: number;
  readonly mrr: number;
  readonly misses: readonly { question: string; expected: string; got: readonly string[] }[];
}

/** hit@1, hit@5 and mean reciprocal rank (over the first 10) of an index on the labelled questions. */
export async function evaluate(index: VectorIndexPort, collection?: string): Promise<EvalReport> {
  let at1 = 0;
  let at5 = 0;
  let rr = 0;
  const misses: { question: string; expected: string; got: string[] }[] = [];
  for (const q of questions) {
    const hits = await index.search(DEFAULT_ORG, { query: q.question, topK: 10, collection });
    const rank = hits.findIndex((hit) => isAnswer(hit, q));
    if (rank === 0) at1++;
    if (rank >= 0 && rank < 5) at5++;
    else misses.push({ question: q.question, expected: q.source, got: hits.slice(0, 5).map((h) => `${h.source}#${h.position}`) });
    if (rank >= 0) rr += 1 / (rank + 1);
  }
  const n = questions.length;
  return { questions: n, hitAt1: at1 / n, hitAt5: at5 / n, mrr: rr / n, misses };
}
