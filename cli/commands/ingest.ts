import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { cutAtCodePoint, DEFAULT_ORG, Kernel, ports, readConfigSource, sdkError, type AnyPortRef, type Plugin } from '../../core/index.js';
import { batteries } from '../../batteries.js';
import { collectFiles, ragPorts, type DocumentIngestion, type FoundFile, type IngestResult } from '../../plugins/rag/index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type Command } from '../command.js';
import { colours, printError } from '../output.js';

export const ingestCommand: Command = {
  usage: `Usage: agent-sdk ingest <file|folder>... [--collection <name>] [--prune] [--force] [--json] [--config <file>]
       agent-sdk ingest --delete <source> [--collection <name>]
       agent-sdk ingest --reindex [--collection <name>]

Adds documents to a collection for retrieval (vector.search, the assistant_rag preset): each file is parsed
(Markdown, HTML, text), chunked by headings and paragraphs, embedded and stored with its path as source.
Folders are read recursively (hidden files, node_modules and .git skipped). A file whose content is unchanged
is skipped; a changed file replaces its previous chunks. Progress shows on a terminal; otherwise one line per file.

Options:
      --collection <name>  Collection to use (default: rag.defaultCollection, "default"; assistant_rag searches it)
      --prune              Also delete documents whose file is gone from the given folders
      --force              Re-chunk and re-embed unchanged files too
      --delete <source>    Delete the document of this source (repeatable); no files are read
      --reindex            Re-embed every chunk of the collection with the configured embedder
      --json               Print the outcome as JSON on stdout
  -c, --config <file>      Config file (default: agent-sdk.config.* in the working directory)
  -h, --help               Show this help

Exit codes: 0 every file ingested (or skipped as unchanged), 1 some failed, 2 usage error.
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('ingest', argv, {
      collection: { type: 'string' },
      prune: { type: 'boolean' },
      force: { type: 'boolean' },
      delete: { type: 'string', multiple: true },
      reindex: { type: 'boolean' },
      json: { type: 'boolean' },
      config: { type: 'string', short: 'c' },
    });
    const deleting = values.delete ?? [];
    if (!positionals.length && !deleting.length && !values.reindex) {
      throw sdkError('ASDK_CLI_USAGE', { command: 'ingest', reason: 'give a file or a folder to ingest: agent-sdk ingest docs/' });
    }
    if ((deleting.length || values.reindex) && positionals.length) {
      throw sdkError('ASDK_CLI_USAGE', { command: 'ingest', reason: '--delete and --reindex take no files' });
    }
    const kernel = await cliKernel(values.config);
    await kernel.start();
    try {
      const ingestion = kernel.get(ragPorts.documents);
      const collection = values.collection ?? ingestion.defaultCollection;
      if (values.reindex) return await reindex(ingestion, collection, Boolean(values.json));
      if (deleting.length) return await deleteSources(ingestion, collection, deleting, Boolean(values.json));
      return await ingestPaths(ingestion, collection, positionals, { prune: Boolean(values.prune), force: Boolean(values.force), json: Boolean(values.json) });
    } catch (error) {
      printError(error);
      return EXIT.failed;
    } finally {
      await kernel.stop();
    }
  },
};

interface FileOutcome {
  readonly source: string;
  readonly status: IngestResult['status'] | 'failed';
  readonly chunks?: number;
  readonly duplicateOf?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

async function ingestPaths(ingestion: DocumentIngestion, collection: string, paths: readonly string[], options: { prune: boolean; force: boolean; json: boolean }): Promise<number> {
  const cwd = process.cwd();
  const started = performance.now();
  const { files, skipped } = await collectFiles(paths, cwd, (path) => ingestion.formatFor(path) !== undefined);
  const pruned = options.prune ? await prune(ingestion, collection, paths, files) : [];
  const progress = new Progress(files.length, collection, options.json);
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    progress.starting(file.source);
    try {
      const result = await ingestion.ingest(DEFAULT_ORG, { source: file.source, content: await readFile(file.path), collection, force: options.force });
      const outcome: FileOutcome = {
        source: file.source,
        status: result.status,
        chunks: result.chunks,
        ...(result.status === 'duplicate' && { duplicateOf: result.document.source }),
      };
      outcomes.push(outcome);
      progress.done(outcome);
    } catch (error) {
      const outcome: FileOutcome = { source: file.source, status: 'failed', error: { code: (error as { code?: string }).code ?? 'ERROR', message: (error as Error).message } };
      outcomes.push(outcome);
      progress.done(outcome);
    }
  }
  progress.finish();
  const seconds = (performance.now() - started) / 1000;
  const count = (status: FileOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  const chunks = outcomes.reduce((n, o) => n + (o.status === 'created' || o.status === 'updated' ? (o.chunks ?? 0) : 0), 0);
  const failed = count('failed');
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ collection, files: outcomes, pruned, skipped, seconds: Math.round(seconds * 100) / 100 }, null, 2)}\n`);
  } else {
    const c = colours(process.stderr);
    const parts = [`${count('created')} new`, `${count('updated')} updated`, `${count('unchanged')} unchanged`];
    if (count('duplicate')) parts.push(`${count('duplicate')} duplicate`);
    if (pruned.length) parts.push(`${pruned.length} deleted`);
    if (failed) parts.push(c.red(`${failed} failed`));
    process.stderr.write(`${failed ? c.yellow('!') : c.green('✓')} ${files.length} file${files.length === 1 ? '' : 's'} into "${collection}": ${parts.join(', ')}; ${chunks} chunks embedded in ${seconds.toFixed(1)} s\n`);
    if (skipped.length) process.stderr.write(c.dim(`  ${skipped.length} file${skipped.length === 1 ? '' : 's'} skipped (not ${ingestion.formats.map((f) => f.name).join(', ')}): ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}\n`));
  }
  if (!files.length && !pruned.length) {
    printError(sdkError('ASDK_RAG_PATH_NOT_FOUND', { path: paths.join(' '), reason: 'no file there has a format the ingestion reads' }));
    return EXIT.failed;
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/** Deletes the collection's documents whose source lies under one of the given folders (or is a given file) but was not found. */
async function prune(ingestion: DocumentIngestion, collection: string, paths: readonly string[], found: readonly FoundFile[]): Promise<string[]> {
  const cwd = process.cwd();
  const present = new Set(found.map((f) => f.source));
  const scopes: { prefix: string; exact: boolean }[] = [];
  for (const given of paths) {
    const absolute = resolve(cwd, given);
    const rel = relative(cwd, absolute);
    const source = rel && !rel.startsWith('..') ? rel.split(sep).join('/') : absolute.split(sep).join('/');
    const isFolder = (await stat(absolute)).isDirectory();
    scopes.push(isFolder ? { prefix: source ? `${source}/` : '', exact: false } : { prefix: source, exact: true });
  }
  const inScope = (source: string) =>
    scopes.some(({ prefix, exact }) => (exact ? source === prefix : prefix ? source.startsWith(prefix) : !source.includes('://') && !source.startsWith('/')));
  let documents;
  try {
    documents = await ingestion.allDocuments(DEFAULT_ORG, collection);
  } catch (error) {
    if ((error as { code?: string }).code === 'ASDK_RAG_COLLECTION_NOT_FOUND') return [];
    throw error;
  }
  const deleted: string[] = [];
  for (const document of documents) {
    if (inScope(document.source) && !present.has(document.source) && (await ingestion.deleteDocument(DEFAULT_ORG, collection, document.id))) deleted.push(document.source);
  }
  return deleted;
}

async function deleteSources(ingestion: DocumentIngestion, collection: string, sources: readonly string[], json: boolean): Promise<number> {
  const results = [];
  for (const source of sources) results.push({ source, deleted: await ingestion.deleteSource(DEFAULT_ORG, collection, source) });
  if (json) process.stdout.write(`${JSON.stringify({ collection, results }, null, 2)}\n`);
  else {
    const c = colours(process.stderr);
    for (const r of results) process.stderr.write(r.deleted ? `${c.green('✓')} deleted ${r.source}\n` : `${c.yellow('!')} no document "${r.source}" in "${collection}"\n`);
  }
  return results.every((r) => r.deleted) ? EXIT.ok : EXIT.failed;
}

async function reindex(ingestion: DocumentIngestion, collection: string, json: boolean): Promise<number> {
  const progress = new Progress(0, collection, json, 'Re-embedding');
  const chunks = await ingestion.reindex(DEFAULT_ORG, collection, (done, total, document) => {
    progress.total = total;
    progress.done({ source: document.source, status: 'updated' });
  });
  progress.finish();
  if (json) process.stdout.write(`${JSON.stringify({ collection, chunks })}\n`);
  else process.stderr.write(`${colours(process.stderr).green('✓')} re-embedded ${chunks} chunks of "${collection}"\n`);
  return EXIT.ok;
}

/** A progress bar on a terminal (redrawn in place); one line per file otherwise; nothing with --json. */
class Progress {
  #done = 0;
  #chunks = 0;
  readonly #tty = Boolean(process.stderr.isTTY);
  readonly #c = colours(process.stderr);

  constructor(
    public total: number,
    private readonly collection: string,
    private readonly quiet: boolean,
    private readonly verb = 'Ingesting',
  ) {}

  starting(source: string): void {
    if (this.#tty && !this.quiet) this.#draw(source);
  }

  done(outcome: FileOutcome): void {
    this.#done++;
    if (outcome.status === 'created' || outcome.status === 'updated') this.#chunks += outcome.chunks ?? 0;
    if (this.quiet) return;
    if (this.#tty) {
      if (outcome.status === 'failed') {
        process.stderr.write(`\r\x1b[2K${this.#c.red('✗')} ${outcome.source}: ${outcome.error?.message}\n`);
      }
      this.#draw(outcome.source);
      return;
    }
    const detail =
      outcome.status === 'failed'
        ? `${outcome.error?.code}: ${outcome.error?.message}`
        : outcome.status === 'duplicate'
          ? `same content as ${outcome.duplicateOf}`
          : outcome.chunks !== undefined
            ? `${outcome.chunks} chunk${outcome.chunks === 1 ? '' : 's'}`
            : '';
    process.stderr.write(`${outcome.status.padEnd(9)} ${outcome.source}${detail ? ` (${detail})` : ''}\n`);
  }

  finish(): void {
    if (this.#tty && !this.quiet) process.stderr.write('\r\x1b[2K');
  }

  #draw(current: string): void {
    const width = 24;
    const ratio = this.total ? this.#done / this.total : 0;
    const filled = Math.round(ratio * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `${this.verb} into "${this.collection}" ${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ${this.#done}/${this.total} files  ${this.#chunks} chunks  ${current}`;
    const columns = process.stderr.columns || 100;
    process.stderr.write(`\r\x1b[2K${line.length > columns - 1 ? `${cutAtCodePoint(line, columns - 2)}…` : line}`);
  }
}

/** The batteries without transports (a one-shot command serves nobody), logs at `warn` unless the config says otherwise. */
async function cliKernel(configFile: string | undefined): Promise<Kernel> {
  const cwd = process.cwd();
  const source = await readConfigSource({ cwd, env: process.env, file: configFile });
  const plugins = batteries();
  const dropped = new Set(plugins.filter((p) => (p.provides ?? []).some((port: AnyPortRef) => port.id === ports.transport.id)).map((p) => p.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const plugin of plugins) {
      if (!dropped.has(plugin.id) && (plugin.dependsOn ?? []).some((id: string) => dropped.has(id))) {
        dropped.add(plugin.id);
        changed = true;
      }
    }
  }
  const raw: Record<string, unknown> = { ...source.raw, kernel: { logLevel: 'warn', ...(source.raw.kernel as Record<string, unknown> | undefined) } };
  for (const id of dropped) delete raw[id];
  return new Kernel({ plugins: plugins.filter((p: Plugin) => !dropped.has(p.id)), source: { ...source, raw }, env: process.env, cwd });
}
