// Child process of the storage contract's crash test: opens the store the parent names, then appends events
// to one run from several writers forever, printing "ack <writer> <append> <seq,seq,...>" after each append
// resolves. The parent kills it with SIGKILL mid-stream and checks that every acknowledged event survived.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StorageHandle } from './contract.js';

interface CrashChildSpec {
  readonly module: string;
  readonly exportName: string;
  readonly options: unknown;
  readonly orgId: string;
  readonly runId: string;
  readonly sessionId: string;
  readonly writers: number;
}

const spec = JSON.parse(process.argv[2]) as CrashChildSpec;
const module = (await import(pathToFileURL(resolve(spec.module)).href)) as Record<string, (options: unknown) => Promise<StorageHandle>>;
const { storage } = await module[spec.exportName](spec.options);
const scope = { orgId: spec.orgId };
const ref = { runId: spec.runId, sessionId: spec.sessionId };
process.stdout.write('ready\n');

await Promise.all(
  Array.from({ length: spec.writers }, async (_, writer) => {
    for (let i = 0; ; i++) {
      const drafts = Array.from({ length: 1 + ((writer + i) % 3) }, (_, k) => ({ type: 'assistant.delta' as const, data: { text: `${writer}/${i}/${k}` } }));
      const envelopes = await storage.events.append(scope, ref, drafts);
      process.stdout.write(`ack ${writer} ${i} ${envelopes.map((e) => e.seq).join(',')}\n`);
    }
  }),
);
