import { lstat, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { sdkError } from '../../../core/index.js';

export interface FoundFile {
  /** Absolute path. */
  readonly path: string;
  /** How the document is named in the collection: relative to `base` with `/`, or absolute when outside it. */
  readonly source: string;
  readonly bytes: number;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.agent-sdk', 'dist']);

/**
 * The files under each path (a file, or a folder walked recursively in name order), skipping hidden entries,
 * node_modules, .git and dist, and not following symbolic links to folders (no cycles). `accept` decides which
 * files count (the CLI passes "a format can read it"); the others are returned as `skipped`.
 *
 * @example
 * ```ts
 * const { files } = await collectFiles(['docs'], process.cwd(), (path) => /\.md$/.test(path));
 * ```
 */
export async function collectFiles(paths: readonly string[], base: string, accept: (path: string) => boolean): Promise<{ files: FoundFile[]; skipped: string[] }> {
  const files: FoundFile[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const sourceOf = (path: string) => {
    const rel = relative(base, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path.split(sep).join('/');
  };
  const visit = async (path: string, explicit: boolean): Promise<void> => {
    const info = explicit ? await stat(path) : await lstat(path);
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort();
      for (const name of entries) {
        if (name.startsWith('.') || SKIPPED_DIRECTORIES.has(name)) continue;
        await visit(join(path, name), false);
      }
      return;
    }
    if (info.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      if (!target?.isFile()) return; // links to folders are not followed; broken links are ignored
      return add(path, target.size);
    }
    if (info.isFile()) add(path, info.size);
  };
  const add = (path: string, bytes: number) => {
    if (seen.has(path)) return;
    seen.add(path);
    if (accept(path)) files.push({ path, source: sourceOf(path), bytes });
    else skipped.push(sourceOf(path));
  };
  for (const given of paths) {
    const path = resolve(base, given);
    try {
      await visit(path, true);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw sdkError('ASDK_RAG_PATH_NOT_FOUND', { path: given, reason: code === 'ENOENT' ? 'no such file or folder' : (error as Error).message }, { cause: error });
    }
  }
  return { files, skipped };
}
