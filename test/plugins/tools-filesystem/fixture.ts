import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import type { ToolDefinition } from '../../../core/index.js';
import { FilesystemConfig, filesystemTools, Workspace } from '../../../plugins/tools-filesystem/index.js';

export interface Sandbox {
  /** Temp folder holding everything below. */
  readonly dir: string;
  /** Base of the workspaces; the org "acme" works in `root`. */
  readonly base: string;
  readonly root: string;
  /** A folder outside every workspace, holding secret.txt ("TOP SECRET"). */
  readonly outside: string;
  readonly workspace: Workspace;
  readonly tools: Record<'read' | 'write' | 'list', ToolDefinition<any, any>>;
  cleanup(): void;
}

/** A fresh workspace for org "acme" next to an outside folder with a secret, and the three tools over it. */
export function sandbox(config: Partial<FilesystemConfig> = {}, options: { useProcFd?: boolean } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-fs-'));
  const base = join(dir, 'workspaces');
  const root = join(base, 'acme');
  const outside = join(dir, 'outside');
  mkdirSync(root, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET');
  const full = Value.Default(FilesystemConfig, structuredClone(config)) as FilesystemConfig;
  const workspace = new Workspace({ baseDir: base, limits: full, useProcFd: options.useProcFd });
  const [read, write, list] = filesystemTools(workspace, { ...full, readOnly: false });
  return { dir, base, root, outside, workspace, tools: { read, write, list }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `body` once with /proc/self/fd checks and once with the portable checks (where they differ). */
export const MODES = [
  { name: 'proc-fd', useProcFd: true },
  { name: 'portable', useProcFd: false },
] as const;
