import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, lstat, mkdir, open, opendir, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  changed,
  fail,
  openConfinedDirectory,
  outside,
  PROC_FD_AVAILABLE,
  proveInside,
  READ_FLAGS,
  refuseHardLink,
  refuseKind,
  relativeToRoot,
  toToolFailure,
} from './confined-fs.js';
import { checkOrgId, displayPath, isInside, splitWorkspacePath } from './paths.js';
import { decodeText, readRange } from './text-range.js';

export interface WorkspaceLimits {
  readonly maxReadBytes: number;
  readonly maxWriteBytes: number;
  readonly maxListEntries: number;
}

export interface WorkspaceOptions {
  /** Absolute folder holding one workspace folder per org. */
  readonly baseDir: string;
  readonly limits: WorkspaceLimits;
  /** Use /proc/self/fd where available (default). Tests turn it off to exercise the portable path. */
  readonly useProcFd?: boolean;
}

export interface ReadResult {
  path: string;
  content: string;
  size: number;
  offset: number;
  bytes: number;
  eof: boolean;
  nextOffset?: number;
}

export interface WriteResult {
  path: string;
  bytes: number;
  size: number;
  created: boolean;
}

export interface WriteOptions {
  /** overwrite (default) replaces or creates; create refuses an existing file; append adds to the end. */
  readonly mode?: 'overwrite' | 'create' | 'append';
  /** Create missing parent folders (default true). */
  readonly createDirectories?: boolean;
  readonly signal?: AbortSignal;
}

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';
export interface ListResult {
  path: string;
  entries: Array<{ name: string; type: EntryType; size?: number }>;
  truncated: boolean;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0 } = constants;
const TEMP_PREFIX = '.asdk-write-';
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Files of one org, confined to `<baseDir>/<orgId>`. Every target's real path, and a new file's parent's,
 * must lie inside that root; symlinks and hard links out, special files and oversize data are refused with
 * ToolFailures. Descriptors are checked (fstat, and the kernel's own name for them) rather than paths.
 */
export class Workspace {
  readonly #options: WorkspaceOptions;
  readonly #useProc: boolean;

  constructor(options: WorkspaceOptions) {
    this.#options = options;
    this.#useProc = (options.useProcFd ?? true) && PROC_FD_AVAILABLE;
  }

  /** The org's root, created on demand; refused if it is not a real folder under the base. */
  async rootFor(orgId: string): Promise<string> {
    checkOrgId(orgId);
    await mkdir(this.#options.baseDir, { recursive: true, mode: 0o700 }).catch((error) => {
      throw fail('FS_ROOT_UNAVAILABLE', `The workspace cannot be created (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, error);
    });
    const base = await realpath(this.#options.baseDir).catch((error) => {
      throw fail('FS_ROOT_UNAVAILABLE', `The workspace cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, error);
    });
    const root = join(base, orgId);
    await mkdir(root, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw fail('FS_ROOT_UNAVAILABLE', `The workspace cannot be created (${error.code ?? 'error'}).`, error);
    });
    const st = await lstat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw fail('FS_ROOT_UNAVAILABLE', 'The workspace folder of this organisation is not a real folder; an operator must fix it.');
    return root;
  }

  async read(orgId: string, path: string, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<ReadResult> {
    const parts = splitWorkspacePath(path);
    const shown = displayPath(parts);
    if (!parts.length) throw fail('FS_NOT_A_FILE', 'The workspace root is a folder; use filesystem.list to see its contents.');
    const root = await this.rootFor(orgId);
    const { handle, st } = await this.#openFileForRead(root, join(root, ...parts), shown).catch((error) => {
      throw toToolFailure(error, shown);
    });
    try {
      const { maxReadBytes } = this.#options.limits;
      const offset = options.offset ?? 0;
      if (offset > st.size) throw fail('FS_INVALID_RANGE', `offset ${offset} is past the end of "${shown}" (${st.size} bytes).`);
      const remaining = st.size - offset;
      if (options.length === undefined && remaining > maxReadBytes) {
        throw fail(
          'FS_TOO_LARGE',
          `"${shown}" is ${st.size} bytes; at most ${maxReadBytes} bytes can be read at once. Read it in parts with offset and length (length <= ${maxReadBytes}).`,
        );
      }
      const wanted = Math.min(options.length ?? remaining, remaining, maxReadBytes);
      const buffer = await readRange(handle, offset, wanted, options.signal);
      const text = decodeText(buffer, offset, offset + buffer.length >= st.size, shown);
      const consumed = offset + text.bytes;
      const eof = consumed >= st.size;
      return { path: shown, content: text.content, size: st.size, offset: offset + text.skipped, bytes: text.bytes - text.skipped, eof, ...(eof ? {} : { nextOffset: consumed }) };
    } catch (error) {
      throw toToolFailure(error, shown);
    } finally {
      await handle.close();
    }
  }

  /** Writes a whole file through a temp file in the same folder and an atomic rename (or link, for new files). */
  write(orgId: string, path: string, content: string, options: WriteOptions = {}): Promise<WriteResult> {
    return this.#write(orgId, path, content, options, 0);
  }

  async #write(orgId: string, path: string, content: string, options: WriteOptions, hops: number): Promise<WriteResult> {
    const parts = splitWorkspacePath(path);
    const shown = displayPath(parts);
    if (!parts.length) throw fail('FS_INVALID_PATH', 'Name a file to write, e.g. "notes/todo.md".');
    if (parts[parts.length - 1].startsWith(TEMP_PREFIX)) throw fail('FS_INVALID_PATH', `Names starting with "${TEMP_PREFIX}" are reserved for files being written.`);
    const data = Buffer.from(content, 'utf8');
    const { maxWriteBytes } = this.#options.limits;
    if (data.length > maxWriteBytes) throw fail('FS_TOO_LARGE', `The content is ${data.length} bytes; at most ${maxWriteBytes} bytes can be written to a file.`);
    const mode = options.mode ?? 'overwrite';
    const root = await this.rootFor(orgId);
    const name = parts[parts.length - 1];
    const parentShown = displayPath(parts.slice(0, -1));
    const dir = await openConfinedDirectory(root, parts.slice(0, -1), { create: options.createDirectories ?? true, useProc: this.#useProc, shown: parentShown }).catch(
      (error) => {
        throw toToolFailure(error, parentShown);
      },
    );
    let temp: string | undefined;
    try {
      const target = join(dir.ref, name);
      const existing = await lstat(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw toToolFailure(error, shown);
      });
      if (existing?.isSymbolicLink()) {
        // Write through a link only when its real target is inside the workspace; then write that path.
        if (hops > 0) throw changed(shown);
        const real = await realpath(target).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') throw fail('FS_SYMLINK', `"${shown}" is a symbolic link to something that does not exist.`, error);
          throw toToolFailure(error, shown);
        });
        if (!isInside(real, root)) throw outside(shown);
        await dir.close();
        const result = await this.#write(orgId, relativeToRoot(real, root).join('/'), content, options, hops + 1);
        return { ...result, path: shown };
      }
      if (existing) {
        if (!existing.isFile()) throw refuseKind(existing, shown);
        if (existing.nlink > 1) throw refuseHardLink(existing, shown);
        if (mode === 'create') throw fail('FS_EXISTS', `"${shown}" already exists; use mode "overwrite" or "append", or choose another name.`);
      }
      let payload = data;
      if (mode === 'append' && existing) {
        const { handle, st } = await this.#openFileForRead(dir.real, target, shown, existing);
        try {
          if (st.size + data.length > maxWriteBytes) {
            throw fail('FS_TOO_LARGE', `Appending would make "${shown}" ${st.size + data.length} bytes; files are limited to ${maxWriteBytes} bytes.`);
          }
          payload = Buffer.concat([await readRange(handle, 0, st.size, options.signal), data]);
        } finally {
          await handle.close();
        }
      }
      options.signal?.throwIfAborted();
      temp = join(dir.ref, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}.tmp`);
      const out = await open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, existing ? existing.mode & 0o777 : 0o644);
      try {
        await out.writeFile(payload);
        await out.sync();
      } finally {
        await out.close();
      }
      options.signal?.throwIfAborted();
      if (mode === 'create' || !existing) {
        // link() never replaces: if something appeared at the name meanwhile, this fails instead of clobbering it.
        const linked = await link(temp, target).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'EEXIST') throw mode === 'create' ? toToolFailure(error, shown) : changed(shown);
            if (!NO_HARD_LINKS.has(error.code ?? '')) throw toToolFailure(error, shown);
            return false;
          },
        );
        if (!linked) {
          // A filesystem without hard links: check once more, then rename (a narrow window remains there).
          if (await lstat(target).then(() => true, () => false)) throw mode === 'create' ? fail('FS_EXISTS', `"${shown}" already exists.`) : changed(shown);
          await rename(temp, target);
          temp = undefined;
        }
      } else {
        const now = await lstat(target).catch(() => undefined);
        if (!now || now.ino !== existing.ino || now.nlink > 1) throw changed(shown);
        await rename(temp, target);
        temp = undefined;
      }
      return { path: shown, bytes: data.length, size: payload.length, created: !existing };
    } catch (error) {
      throw toToolFailure(error, shown);
    } finally {
      if (temp) await unlink(temp).catch(() => undefined);
      await dir.close().catch(() => undefined);
    }
  }

  async list(orgId: string, path: string, options: { maxEntries?: number; signal?: AbortSignal } = {}): Promise<ListResult> {
    const parts = splitWorkspacePath(path);
    const shown = displayPath(parts);
    const root = await this.rootFor(orgId);
    const limit = Math.min(options.maxEntries ?? this.#options.limits.maxListEntries, this.#options.limits.maxListEntries);
    const dir = await openConfinedDirectory(root, parts, { create: false, useProc: this.#useProc, shown }).catch((error) => {
      throw toToolFailure(error, shown);
    });
    try {
      const names: string[] = [];
      let truncated = false;
      const reader = await opendir(dir.ref, { bufferSize: 64 });
      try {
        for await (const entry of reader) {
          if (entry.name.startsWith(TEMP_PREFIX)) continue;
          if (names.length === limit) {
            truncated = true;
            break;
          }
          names.push(entry.name);
          if (names.length % 256 === 0) options.signal?.throwIfAborted();
        }
      } finally {
        await reader.close().catch(() => undefined);
      }
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const entries: ListResult['entries'] = [];
      for (const name of names) {
        const st = await lstat(join(dir.ref, name)).catch(() => undefined);
        if (!st) continue;
        const type: EntryType = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
        entries.push(type === 'file' ? { name, type, size: st.size } : { name, type });
      }
      return { path: shown, entries, truncated };
    } catch (error) {
      throw toToolFailure(error, shown);
    } finally {
      await dir.close();
    }
  }

  /**
   * Opens a regular file for reading without side effects: resolve and check the real path first (opening a
   * device can do things), open it without following a final symlink and without blocking, then check the
   * descriptor (same inode, regular, one name) and prove where it is.
   */
  async #openFileForRead(root: string, candidate: string, shown: string, expected?: Stats): Promise<{ handle: FileHandle; st: Stats }> {
    const real = await realpath(candidate).catch((error) => {
      throw toToolFailure(error, shown);
    });
    if (!isInside(real, root)) throw outside(shown);
    const before = expected ?? (await lstat(real));
    if (!before.isFile()) throw refuseKind(before, shown);
    if (before.nlink > 1) throw refuseHardLink(before, shown);
    const handle = await open(real, READ_FLAGS).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOOP' ? changed(shown) : toToolFailure(error, shown);
    });
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw refuseKind(st, shown);
      if (st.ino !== before.ino || st.dev !== before.dev) throw changed(shown);
      if (st.nlink > 1) throw refuseHardLink(st, shown);
      await proveInside(handle, st, real, root, shown, this.#useProc);
      return { handle, st };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
}
