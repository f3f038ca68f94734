import { sep } from 'node:path';
import { cutAtCodePoint, ToolFailure } from '../../core/index.js';

const MAX_PATH_CHARS = 4_096;
const MAX_NAME_BYTES = 255;
const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function invalid(code: string, path: string, why: string): ToolFailure {
  const shown = JSON.stringify(path.length > 120 ? `${cutAtCodePoint(path, 117)}...` : path);
  return new ToolFailure(code, `The path ${shown} ${why}`);
}

/**
 * Splits a path the model gave into workspace-relative components, refusing what could point elsewhere:
 * absolute paths, `..`, NUL and other control characters, backslashes. `""` and `"."` are the root ([]).
 *
 * @example
 * ```ts
 * splitWorkspacePath('notes/./todo.md');   // ['notes', 'todo.md']
 * splitWorkspacePath('../etc/passwd');     // throws ToolFailure FS_TRAVERSAL
 * ```
 */
export function splitWorkspacePath(path: string): string[] {
  if (path.includes('\0')) throw invalid('FS_INVALID_PATH', path.replace(/\0/g, '\\0'), 'contains a NUL byte; file names cannot contain one.');
  if (path.length > MAX_PATH_CHARS) throw invalid('FS_INVALID_PATH', path, `is longer than ${MAX_PATH_CHARS} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\x01-\x1f\x7f]/.test(path)) throw invalid('FS_INVALID_PATH', path, 'contains a control character (newline, tab, escape, ...); use plain names.');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('\\')) {
    throw invalid('FS_ABSOLUTE_PATH', path, 'is absolute; paths are relative to the workspace root, e.g. "notes/todo.md".');
  }
  if (path === '~' || path.startsWith('~/')) throw invalid('FS_ABSOLUTE_PATH', path, 'starts with "~"; there is no home folder here: paths are relative to the workspace root.');
  if (path.includes('\\')) throw invalid('FS_INVALID_PATH', path, 'contains a backslash; separate folders with "/".');
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw invalid('FS_TRAVERSAL', path, 'contains ".."; you can only reach files inside the workspace, by their path from its root.');
  for (const part of parts) {
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) throw invalid('FS_INVALID_PATH', path, `has a name longer than ${MAX_NAME_BYTES} bytes.`);
  }
  return parts;
}

/** Refuses org ids that could not be one folder name (the runtime's ids always pass). */
export function checkOrgId(orgId: string): string {
  if (!ORG_ID.test(orgId) || orgId.includes('..')) {
    throw new ToolFailure('FS_ROOT_UNAVAILABLE', `The organisation id ${JSON.stringify(cutAtCodePoint(orgId, 60))} cannot name a workspace folder.`);
  }
  return orgId;
}

/** Whether `path` is `root` or below it (both absolute and free of symlinks). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** How a path is shown to the model: relative to the workspace, `.` for the root. */
export function displayPath(parts: readonly string[]): string {
  return parts.length ? parts.join('/') : '.';
}
