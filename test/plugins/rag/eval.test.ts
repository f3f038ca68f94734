// Retrieval quality of the offline pipeline (local embedder, default chunking) on the labelled set of
// test/fixtures/rag: 29 documents, 64 questions each with the passage that answers it. Prints hit@1, hit@5 and
// MRR per retrieval mode and database (Postgres with AGENT_SDK_TEST_PG_URL), and how often assistant_rag (the offline model) cites the right file.
//
// Floors: the issue asks hit@5 >= 0.8 with the offline embedder. Measured: hybrid 0.984 (63/64), vector 0.969,
// keyword 0.969. The asserted floor for hybrid is 0.9 (58/64): five more misses than today is a regression worth
// a look, while a change of chunking or weights that moves one or two questions still passes. Vector-only and
// keyword-only must each stay at 0.85, so neither half of the fusion can silently stop working.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { storagePlugin } from '../../../adapters/storage-mikro-orm/index.js';
import { ports, type Kernel } from '../../../core/index.js';
import { presetsPlugin } from '../../../plugins/presets/index.js';
import { embeddingPlugin, ragPlugin, ragPorts } from '../../../plugins/rag/index.js';
import { vectorPlugin } from '../../../plugins/tools-vector/index.js';
import { startTestKernel } from '../../../testing.js';
import { createTestDatabase, PG_SKIP, testPgUrl } from '../../storage/postgres-database.js';
import { evaluate, ingestFixtures, questions, type EvalReport } from './eval-set.js';

const rows: string[] = [];
const line = (database: string, mode: string, r: EvalReport, chunks: number) =>
  `| ${database.padEnd(8)} | ${mode.padEnd(7)} | ${String(chunks).padStart(6)} | ${r.hitAt1.toFixed(3)} | ${r.hitAt5.toFixed(3)} | ${r.mrr.toFixed(3)} |`;

async function measure(database: 'memory' | 'sqlite' | 'postgres', mode: 'hybrid' | 'vector' | 'keyword'): Promise<EvalReport> {
  const plugins = database === 'memory' ? [embeddingPlugin, ragPlugin] : [storagePlugin, embeddingPlugin, ragPlugin];
  const pg = database === 'postgres' ? await createTestDatabase(testPgUrl!) : undefined;
  const storage = database === 'sqlite' ? { storage: { path: ':memory:' } } : pg ? { storage: { url: pg.url, autoMigrate: true } } : {};
  const kernel: Kernel = await startTestKernel({ plugins, config: { rag: { retrieval: { mode } }, ...storage } });
  try {
    const chunks = await ingestFixtures(kernel.get(ragPorts.documents));
    const report = await evaluate(kernel.get(ports.vectorIndex));
    rows.push(line(database, mode, report, chunks));
    for (const miss of report.misses) console.log(`  miss (${database}, ${mode}): "${miss.question}" wants ${miss.expected}, top 5: ${miss.got.join(' ')}`);
    return report;
  } finally {
    await kernel.stop();
    await pg?.drop();
  }
}

test('hybrid retrieval: hit@5 >= 0.9 on memory and SQLite (FTS5), the same questions either way', async () => {
  const memory = await measure('memory', 'hybrid');
  const sqlite = await measure('sqlite', 'hybrid');
  assert.ok(memory.hitAt5 >= 0.9, `hit@5 ${memory.hitAt5}`);
  assert.ok(sqlite.hitAt5 >= 0.9, `hit@5 ${sqlite.hitAt5}`);
  assert.ok(memory.mrr >= 0.8 && sqlite.mrr >= 0.8, `MRR ${memory.mrr} / ${sqlite.mrr}`);
});

test('each retriever alone: hit@5 >= 0.85', async () => {
  for (const mode of ['vector', 'keyword'] as const) {
    const report = await measure('memory', mode);
    assert.ok(report.hitAt5 >= 0.85, `${mode} hit@5 ${report.hitAt5}`);
  }
  const keywordSql = await measure('sqlite', 'keyword');
  assert.ok(keywordSql.hitAt5 >= 0.85, `sqlite keyword hit@5 ${keywordSql.hitAt5}`);
});

if (!testPgUrl) console.log(PG_SKIP);
else {
  test('postgres (tsvector, english stemming): hybrid and keyword hit@5 >= 0.9 and 0.85', async () => {
    assert.ok((await measure('postgres', 'hybrid')).hitAt5 >= 0.9);
    assert.ok((await measure('postgres', 'keyword')).hitAt5 >= 0.85);
  });
}

test('assistant_rag on the offline model: the first citation names the right file for >= 85% of the questions', async () => {
  const kernel = await startTestKernel({ plugins: [embeddingPlugin, ragPlugin, vectorPlugin, presetsPlugin] });
  try {
    await ingestFixtures(kernel.get(ragPorts.documents));
    let rightFile = 0;
    let quoted = 0;
    const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
    for (const q of questions) {
      const result = await (await kernel.runs.start({ preset: 'assistant_rag', input: q.question })).result();
      assert.is(result.status, 'completed');
      const first = result.citations?.[0];
      if (first?.source === q.source) rightFile++;
      if (result.citations?.some((c) => c.source === q.source && flat(q.passage).includes(flat(c.quote)))) quoted++;
    }
    console.log(`assistant_rag (offline model): first citation in the right file ${rightFile}/${questions.length}, the labelled passage quoted ${quoted}/${questions.length}`);
    assert.ok(rightFile / questions.length >= 0.85, `${rightFile}/${questions.length}`);
  } finally {
    await kernel.stop();
  }
});

test.after(() => {
  console.log(`\nRetrieval on the labelled set (${questions.length} questions, local embedder):\n| database | mode    | chunks | hit@1 | hit@5 | MRR   |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
});

test.run();
