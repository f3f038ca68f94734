import { constants } from 'node:fs';
import { access, mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { sdkError, type Counter, type EventEnvelope, type EventExporter, type Logger } from '../../core/index.js';

export interface JsonlFileOptions {
  /** Absolute folder of the files. */
  readonly dir: string;
  /** A file is closed and the next one opened before it would grow past this. */
  readonly maxFileBytes: number;
  /** The oldest files are deleted once all of them together exceed this (the open file is never deleted). */
  readonly maxTotalBytes: number;
  /** Event types left out (e.g. `assistant.delta`). */
  readonly exclude?: readonly string[];
  /** Envelopes waiting for the disk beyond this are dropped (and counted), so a stuck disk cannot exhaust memory. */
  readonly maxBufferedEnvelopes?: number;
  /**
   * Longest an envelope waits before it is written (default 100 ms): envelopes are gathered into one write per
   * interval, or as soon as WRITE_AT_ENVELOPES are waiting, instead of one small write per batch.
   */
  readonly flushIntervalMs?: number;
  readonly logger?: Logger;
  /** Counts dropped envelopes (label `exporter`). */
  readonly dropped?: Counter;
  /** Milliseconds since the epoch, for the day in file names; tests pin it. */
  readonly now?: () => number;
}

/** Envelopes waiting that trigger a write before the interval is over. */
export const WRITE_AT_ENVELOPES = 1000;

/** `events-2026-01-31.jsonl`, then `events-2026-01-31.1.jsonl`, `.2`, ... for that day. */
const FILE_NAME = /^events-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;

interface OpenFile {
  readonly name: string;
  readonly day: string;
  readonly index: number;
  size: number;
  handle: FileHandle | undefined;
}

/**
 * Run logs as JSON Lines: every envelope (one JSON object per line, exactly as stored) appended to one file
 * per UTC day, rotated by size (`maxFileBytes`), the oldest files deleted beyond `maxTotalBytes`. `export` only
 * queues; one writer gathers what arrived into one write every `flushIntervalMs` (or sooner under load), so a
 * busy server makes few large writes rather than many small ones. A write that fails (disk full) is logged
 * and its envelopes counted as lost. `flush` and `shutdown` write at once.
 *
 * @example
 * ```ts
 * const exporter = await JsonlFileExporter.open({ dir: '/var/log/agents', maxFileBytes: 64 << 20, maxTotalBytes: 1 << 30 });
 * // contribute it to extensionPoints.exporters; read one run back:
 * for await (const envelope of readRunLog('/var/log/agents', 'run_abc')) console.log(envelope.type);
 * ```
 */
export class JsonlFileExporter implements EventExporter {
  readonly name = 'jsonl-file';
  /** Envelopes written, writes made, envelopes dropped (buffer full) and lost (a failed write), files deleted by retention. */
  readonly stats = { written: 0, writes: 0, dropped: 0, lost: 0, deleted: 0 };
  readonly #options: Required<Omit<JsonlFileOptions, 'logger' | 'dropped'>> & Pick<JsonlFileOptions, 'logger' | 'dropped'>;
  readonly #exclude: ReadonlySet<string>;
  /** Known files of the folder by name, with their sizes. */
  readonly #files = new Map<string, number>();
  #total = 0;
  #file: OpenFile | undefined;
  #pending: EventEnvelope[] = [];
  #writing: Promise<void> | undefined;
  /** Ends the writer's wait for the interval (a flush, a full batch). */
  #wake: (() => void) | undefined;
  /** Flushes waiting: the writer does not wait for the interval meanwhile. */
  #flushes = 0;
  #closed = false;
  #dropping = false;
  #failing = false;

  private constructor(options: JsonlFileOptions) {
    this.#options = { exclude: [], maxBufferedEnvelopes: 100_000, flushIntervalMs: 100, now: Date.now, ...options };
    this.#exclude = new Set(this.#options.exclude);
  }

  /** Creates the folder (or checks it is writable) and takes stock of the files already there. */
  static async open(options: JsonlFileOptions): Promise<JsonlFileExporter> {
    if (options.maxTotalBytes < options.maxFileBytes) {
      throw sdkError('ASDK_RUN_LOGS_UNWRITABLE', { dir: options.dir, reason: `maxTotalBytes (${options.maxTotalBytes}) is smaller than maxFileBytes (${options.maxFileBytes})` });
    }
    const exporter = new JsonlFileExporter(options);
    try {
      await mkdir(options.dir, { recursive: true });
      await access(options.dir, constants.W_OK);
      for (const name of await readdir(options.dir)) {
        if (!FILE_NAME.test(name)) continue;
        const { size } = await stat(join(options.dir, name));
        exporter.#files.set(name, size);
        exporter.#total += size;
      }
    } catch (error) {
      throw sdkError('ASDK_RUN_LOGS_UNWRITABLE', { dir: options.dir, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }, { cause: error });
    }
    return exporter;
  }

  /** The file being written, if any. */
  get currentFile(): string | undefined {
    return this.#file && join(this.#options.dir, this.#file.name);
  }

  export(envelopes: readonly EventEnvelope[]): void {
    if (this.#closed) return;
    const room = this.#options.maxBufferedEnvelopes - this.#pending.length;
    let dropped = 0;
    for (const envelope of envelopes) {
      if (this.#exclude.size && this.#exclude.has(envelope.type)) continue;
      if (this.#pending.length >= this.#options.maxBufferedEnvelopes) dropped++;
      else this.#pending.push(envelope);
    }
    if (dropped) this.#drop(dropped, room);
    this.#writing ??= this.#drain();
    if (this.#pending.length >= WRITE_AT_ENVELOPES) this.#wake?.();
  }

  async flush(): Promise<void> {
    this.#flushes++;
    try {
      this.#wake?.();
      while (this.#writing) await this.#writing;
    } finally {
      this.#flushes--;
    }
  }

  async shutdown(): Promise<void> {
    await this.flush();
    this.#closed = true;
    const handle = this.#file?.handle;
    if (this.#file) this.#file.handle = undefined;
    await handle?.close();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length) {
        await this.#interval();
        const batch = this.#pending;
        this.#pending = [];
        try {
          await this.#write(batch);
          if (this.#failing) this.#options.logger?.info('run logs are written again', { dir: this.#options.dir });
          this.#failing = false;
        } catch (error) {
          this.stats.lost += batch.length;
          if (!this.#failing) this.#options.logger?.error('could not write run logs; envelopes are lost until the folder is writable again', { dir: this.#options.dir, error });
          this.#failing = true;
          await this.#closeFile();
        }
      }
    } finally {
      this.#writing = undefined;
      if (this.#pending.length && !this.#closed) this.#writing = this.#drain();
    }
  }

  /** Waits `flushIntervalMs`, or less when woken; the timer never keeps the process alive. */
  #interval(): Promise<void> {
    if (this.#flushes > 0 || this.#pending.length >= WRITE_AT_ENVELOPES) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#options.flushIntervalMs);
      timer.unref();
      this.#wake = done;
    });
  }

  async #write(batch: readonly EventEnvelope[]): Promise<void> {
    const day = new Date(this.#options.now()).toISOString().slice(0, 10);
    if (!this.#file?.handle || this.#file.day !== day) await this.#openFile(day);
    let parts: string[] = [];
    let bytes = 0;
    let lines = 0;
    for (const envelope of batch) {
      const line = `${JSON.stringify(envelope)}\n`;
      const size = Buffer.byteLength(line);
      if (this.#file!.size + bytes + size > this.#options.maxFileBytes && this.#file!.size + bytes > 0) {
        await this.#append(parts.join(''), bytes, lines);
        parts = [];
        bytes = 0;
        lines = 0;
        await this.#openFile(day, this.#file!.index + 1);
      }
      parts.push(line);
      bytes += size;
      lines++;
    }
    if (lines) await this.#append(parts.join(''), bytes, lines);
  }

  async #append(text: string, bytes: number, lines: number): Promise<void> {
    const file = this.#file!;
    await file.handle!.write(text);
    this.stats.writes++;
    file.size += bytes;
    this.#files.set(file.name, file.size);
    this.#total += bytes;
    this.stats.written += lines;
    if (this.#total > this.#options.maxTotalBytes) await this.#prune();
  }

  /** Opens the file of `day` to append: the newest one of that day while it has room, else the next index. */
  async #openFile(day: string, atLeast = 0): Promise<void> {
    await this.#closeFile();
    let newest = -1;
    for (const name of this.#files.keys()) {
      const match = FILE_NAME.exec(name)!;
      if (match[1] === day) newest = Math.max(newest, Number(match[2] ?? 0));
    }
    const hasRoom = newest >= 0 && (this.#files.get(fileName(day, newest)) ?? 0) < this.#options.maxFileBytes;
    const index = atLeast === 0 && hasRoom ? newest : Math.max(atLeast, newest + 1);
    const name = fileName(day, index);
    const handle = await open(join(this.#options.dir, name), 'a');
    const size = this.#files.get(name) ?? 0;
    this.#files.set(name, size);
    this.#file = { name, day, index, size, handle };
  }

  async #closeFile(): Promise<void> {
    const handle = this.#file?.handle;
    if (!handle) return;
    this.#file!.handle = undefined;
    await handle.close().catch(() => undefined);
  }

  /** Deletes the oldest files until the folder is within maxTotalBytes (never the open one). */
  async #prune(): Promise<void> {
    const oldestFirst = [...this.#files.keys()].sort(byAge);
    for (const name of oldestFirst) {
      if (this.#total <= this.#options.maxTotalBytes) return;
      if (name === this.#file?.name) continue;
      try {
        await unlink(join(this.#options.dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.#options.logger?.warn('could not delete an old run log file', { file: name, error });
          continue;
        }
      }
      this.#total -= this.#files.get(name)!;
      this.#files.delete(name);
      this.stats.deleted++;
    }
  }

  #drop(count: number, room: number): void {
    this.stats.dropped += count;
    this.#options.dropped?.inc({ exporter: this.name }, count);
    if (!this.#dropping) {
      this.#dropping = true;
      this.#options.logger?.warn('run logs fall behind: envelopes are dropped until the disk catches up', { dir: this.#options.dir, buffered: this.#options.maxBufferedEnvelopes, room });
      // One warning per episode: allow the next one once the buffer has drained.
      void this.flush().then(() => (this.#dropping = false));
    }
  }
}

function fileName(day: string, index: number): string {
  return index === 0 ? `events-${day}.jsonl` : `events-${day}.${index}.jsonl`;
}

/** Files in write order: by day, then by index. */
export function byAge(a: string, b: string): number {
  const [, dayA, indexA = '0'] = FILE_NAME.exec(a)!;
  const [, dayB, indexB = '0'] = FILE_NAME.exec(b)!;
  return dayA === dayB ? Number(indexA) - Number(indexB) : dayA < dayB ? -1 : 1;
}

/**
 * Reads run logs back: every envelope in the folder's files, oldest first, optionally only one run's
 * (`runId`; nested runs have their own ids, and the parent's log also holds their mirrored copies).
 */
export async function* readRunLog(dir: string, runId?: string): AsyncGenerator<EventEnvelope> {
  const names = (await readdir(dir)).filter((name) => FILE_NAME.test(name)).sort(byAge);
  const needle = runId === undefined ? undefined : `"runId":${JSON.stringify(runId)}`;
  for (const name of names) {
    const handle = await open(join(dir, name), 'r');
    try {
      for await (const line of handle.readLines()) {
        if (!line || (needle && !line.includes(needle))) continue;
        const envelope = JSON.parse(line) as EventEnvelope;
        if (runId === undefined || envelope.runId === runId) yield envelope;
      }
    } finally {
      await handle.close();
    }
  }
}
