import { constants, existsSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ToolFailure } from '../../core/index.js';
import { isInside } from './paths.js';

const { O_RDONLY, O_DIRECTORY = 0, O_NOFOLLOW = 0, O_NONBLOCK = 0, O_NOCTTY = 0 } = constants;
/** Opening never blocks (a FIFO), never follows a final symlink, never acquires a terminal. */
export const READ_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
const DIRECTORY_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/** Whether this process can name an open descriptor's file as /proc/self/fd/N (Linux). */
export const PROC_FD_AVAILABLE = process.platform === 'linux' && existsSync('/proc/self/fd');

/**
 * A directory opened and proven to lie inside the root. `ref` names that exact directory for later calls:
 * `/proc/self/fd/N` where available (so a directory swapped for a symlink afterwards changes nothing: the
 * kernel resolves the descriptor, not the path), else its verified real path.
 */
export interface ConfinedDirectory {
  readonly handle: FileHandle;
  readonly ref: string;
  /** Real path when it was proven. */
  readonly real: string;
  close(): Promise<void>;
}

export function fail(code: string, message: string, cause?: unknown): ToolFailure {
  return new ToolFailure(code, message, cause === undefined ? undefined : { cause });
}

/** Turns an fs error into a tool error about `shown` (a workspace path: host paths are never revealed). */
export function toToolFailure(error: unknown, shown: string): unknown {
  if (error instanceof ToolFailure || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return fail('FS_NOT_FOUND', `"${shown}" does not exist; use filesystem.list to see what is there.`, error);
    case 'ENOTDIR':
      return fail('FS_NOT_FOUND', `"${shown}" does not exist: a part of it is a file, not a folder.`, error);
    case 'ELOOP':
      return fail('FS_SYMLINK', `"${shown}" goes through a symbolic link that loops or that changed while it was being opened.`, error);
    case 'EISDIR':
      return fail('FS_NOT_A_FILE', `"${shown}" is a folder, not a file.`, error);
    case 'EACCES':
    case 'EPERM':
      return fail('FS_PERMISSION', `The server may not access "${shown}".`, error);
    case 'ENAMETOOLONG':
      return fail('FS_INVALID_PATH', `"${shown}" is too long for the filesystem.`, error);
    case 'ENOSPC':
    case 'EDQUOT':
      return fail('FS_NO_SPACE', 'The workspace is out of disk space or quota.', error);
    case 'EEXIST':
      return fail('FS_EXISTS', `"${shown}" already exists.`, error);
    default:
      // Any other system error: say what failed without the host path that Node puts in the message.
      return code ? fail('FS_IO', `"${shown}" could not be accessed (${code}).`, error) : error;
  }
}

/** Names the kind of a non-regular file for a refusal. */
export function refuseKind(st: Stats, shown: string): ToolFailure {
  if (st.isDirectory()) return fail('FS_NOT_A_FILE', `"${shown}" is a folder, not a file; use filesystem.list to see its contents.`);
  const kind = st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
  return fail('FS_SPECIAL_FILE', `"${shown}" is ${kind}; only regular files can be read or written.`);
}

export function refuseHardLink(st: Stats, shown: string): ToolFailure {
  return fail(
    'FS_HARD_LINK',
    `"${shown}" has ${st.nlink} names (hard links); another name may lie outside the workspace, so it is refused. Ask for a copy of the file instead.`,
  );
}

export function outside(shown: string): ToolFailure {
  return fail('FS_OUTSIDE_ROOT', `"${shown}" leads outside the workspace (through a symbolic link); only files inside the workspace can be used.`);
}

export function changed(shown: string): ToolFailure {
  return fail('FS_CHANGED', `"${shown}" changed while it was being opened; try again.`);
}

/**
 * Proves that an open descriptor's file lies inside `root` now: by the kernel's own name for it
 * (/proc/self/fd/N), or else by resolving `openedPath` again and checking it is the same inode.
 */
export async function proveInside(handle: FileHandle, st: Stats, openedPath: string, root: string, shown: string, useProc: boolean): Promise<string> {
  if (useProc) {
    const where = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (where !== undefined) {
      if (where.endsWith(' (deleted)')) throw changed(shown);
      if (!isInside(where, root)) throw outside(shown);
      return where;
    }
  }
  const real = await realpath(openedPath).catch(() => undefined);
  if (real === undefined) throw changed(shown);
  if (!isInside(real, root)) throw outside(shown);
  const again = await stat(real).catch(() => undefined);
  if (!again || again.ino !== st.ino || again.dev !== st.dev) throw changed(shown);
  return real;
}

/**
 * Walks `parts` down from `root` one component at a time (creating missing folders when asked), following
 * symbolic links only while their real path stays inside the root, then opens the folder and proves where it is.
 */
export async function openConfinedDirectory(
  root: string,
  parts: readonly string[],
  options: { create: boolean; useProc: boolean; shown: string },
): Promise<ConfinedDirectory> {
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    const shownHere = parts.slice(0, i + 1).join('/');
    const next = join(current, parts[i]);
    let st = await lstat(next).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw toToolFailure(error, shownHere);
    });
    if (!st) {
      if (!options.create) throw fail('FS_NOT_FOUND', `The folder "${shownHere}" does not exist; use filesystem.list to see what is there.`);
      await mkdir(next, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw toToolFailure(error, shownHere);
      });
      st = await lstat(next);
    }
    if (st.isSymbolicLink()) {
      const real = await realpath(next).catch((error) => {
        throw toToolFailure(error, shownHere);
      });
      if (!isInside(real, root)) throw outside(shownHere);
      const target = await stat(real);
      if (!target.isDirectory()) throw fail('FS_NOT_A_DIRECTORY', `"${shownHere}" is not a folder.`);
      current = real;
    } else if (st.isDirectory()) {
      current = next;
    } else {
      throw fail('FS_NOT_A_DIRECTORY', `"${shownHere}" is a file, not a folder.`);
    }
  }
  const handle = await open(current, DIRECTORY_FLAGS).catch((error) => {
    throw toToolFailure(error, options.shown);
  });
  try {
    const st = await handle.stat();
    if (!st.isDirectory()) throw changed(options.shown);
    const real = await proveInside(handle, st, current, root, options.shown, options.useProc);
    const ref = options.useProc ? `/proc/self/fd/${handle.fd}` : real;
    return { handle, ref, real, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The workspace-relative path of a real path inside the root. */
export function relativeToRoot(real: string, root: string): string[] {
  return relative(root, real).split(/[\\/]/).filter(Boolean);
}
