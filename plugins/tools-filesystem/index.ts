import { stat } from 'node:fs/promises';
import { Type, type Static } from 'typebox';
import { contribution, defineTool, definePlugin, extensionPoints, sdkError } from '../../core/index.js';
import { workspaceDoctorCheck, workspaceRoot } from './doctor-check.js';
import { Workspace } from './workspace.js';

export { Workspace, type ListResult, type ReadResult, type WriteResult, type WorkspaceLimits } from './workspace.js';
export { splitWorkspacePath } from './paths.js';

const MiB = 1024 * 1024;

export const FilesystemConfig = Type.Object(
  {
    root: Type.Optional(
      Type.String({ minLength: 1, description: 'Folder holding one workspace folder per org (<root>/<orgId>); relative to the config file. Default <kernel.dataDir>/workspace' }),
    ),
    maxReadBytes: Type.Integer({ minimum: 1, maximum: 64 * MiB, default: MiB, description: 'Most bytes one filesystem.read returns' }),
    maxWriteBytes: Type.Integer({ minimum: 1, maximum: 64 * MiB, default: MiB, description: 'Largest file filesystem.write may produce' }),
    maxListEntries: Type.Integer({ minimum: 1, maximum: 10_000, default: 500, description: 'Most entries one filesystem.list returns' }),
    readOnly: Type.Boolean({ default: false, description: 'Leave out filesystem.write' }),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000, description: 'Longest one call may take' }),
  },
  { additionalProperties: false },
);
export type FilesystemConfig = Static<typeof FilesystemConfig>;

const pathField = (what: string) =>
  Type.String({ maxLength: 4_096, description: `${what}, relative to the workspace root with "/" between folders, e.g. "notes/todo.md"` });

/** Builds the filesystem tools over a workspace; `readOnly` leaves out filesystem.write. */
export function filesystemTools(workspace: Workspace, config: FilesystemConfig) {
  const read = defineTool({
    name: 'filesystem.read',
    version: '1.0.0',
    description:
      `Reads a UTF-8 text file from your workspace. Files over ${config.maxReadBytes} bytes must be read in parts: pass offset (and length), ` +
      'then continue from nextOffset until eof is true. Paths are relative to the workspace root; use filesystem.list to find files.',
    input: Type.Object(
      {
        path: pathField('The file'),
        offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Byte offset to start at (default 0)' })),
        length: Type.Optional(Type.Integer({ minimum: 1, maximum: config.maxReadBytes, description: `Bytes to read, at most ${config.maxReadBytes}` })),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        path: Type.String(),
        content: Type.String(),
        size: Type.Integer({ description: 'Size of the whole file in bytes' }),
        offset: Type.Integer({ description: 'Byte offset the content starts at' }),
        bytes: Type.Integer({ description: 'Bytes of content returned' }),
        eof: Type.Boolean({ description: 'True when the content reaches the end of the file' }),
        nextOffset: Type.Optional(Type.Integer({ description: 'Where to continue reading when eof is false' })),
      },
      { additionalProperties: false },
    ),
    timeoutMs: config.timeoutMs,
    capabilities: ['fs.read'],
    execute: ({ path, offset, length }, context) => workspace.read(context.orgId, path, { offset, length, signal: context.signal }),
  });

  const write = defineTool({
    name: 'filesystem.write',
    version: '1.0.0',
    description:
      `Writes a UTF-8 text file in your workspace (at most ${config.maxWriteBytes} bytes). mode "overwrite" (default) replaces the file or creates it, ` +
      '"create" refuses to replace an existing file, "append" adds to its end. Missing folders are created. The file is replaced atomically.',
    input: Type.Object(
      {
        path: pathField('The file to write'),
        content: Type.String({ description: 'The full text to write (or to append)' }),
        mode: Type.Optional(Type.Union([Type.Literal('overwrite'), Type.Literal('create'), Type.Literal('append')], { description: 'Default overwrite' })),
        createDirectories: Type.Optional(Type.Boolean({ description: 'Create missing parent folders (default true)' })),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        path: Type.String(),
        bytes: Type.Integer({ description: 'Bytes written by this call' }),
        size: Type.Integer({ description: 'Size of the file afterwards' }),
        created: Type.Boolean({ description: 'True when the file did not exist before' }),
      },
      { additionalProperties: false },
    ),
    timeoutMs: config.timeoutMs,
    capabilities: ['fs.write'],
    execute: ({ path, content, mode, createDirectories }, context) =>
      workspace.write(context.orgId, path, content, { mode, createDirectories, signal: context.signal }),
  });

  const list = defineTool({
    name: 'filesystem.list',
    version: '1.0.0',
    description:
      `Lists a folder of your workspace: each entry's name, type (file, directory, symlink, other) and, for files, size in bytes. ` +
      `At most ${config.maxListEntries} entries; truncated is true when there are more. Use "." (or omit path) for the workspace root.`,
    input: Type.Object(
      {
        path: Type.Optional(pathField('The folder (default ".")')),
        maxEntries: Type.Optional(Type.Integer({ minimum: 1, maximum: config.maxListEntries })),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        path: Type.String(),
        entries: Type.Array(
          Type.Object(
            {
              name: Type.String(),
              type: Type.Union([Type.Literal('file'), Type.Literal('directory'), Type.Literal('symlink'), Type.Literal('other')]),
              size: Type.Optional(Type.Integer()),
            },
            { additionalProperties: false },
          ),
        ),
        truncated: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    timeoutMs: config.timeoutMs,
    capabilities: ['fs.read'],
    execute: ({ path, maxEntries }, context) => workspace.list(context.orgId, path ?? '.', { maxEntries, signal: context.signal }),
  });

  return config.readOnly ? [read, list] : [read, write, list];
}

/**
 * The filesystem tool pack (`tools-filesystem`): read, write and list files confined to a folder per org.
 *
 * @example
 * ```yaml
 * tools-filesystem:
 *   root: ./workspaces       # each org gets ./workspaces/<orgId>
 *   maxReadBytes: 262144
 *   readOnly: true
 * ```
 */
export const filesystemPlugin = definePlugin({
  id: 'tools-filesystem',
  version: '1.0.0',
  description: 'Filesystem tools confined to a workspace folder per org',
  config: FilesystemConfig,
  contributes: [contribution(extensionPoints.doctorChecks, workspaceDoctorCheck)],
  async init({ config, kernel, contribute }) {
    const baseDir = workspaceRoot(config, kernel);
    // Created on demand; but a root that exists as something other than a folder is a configuration mistake.
    const existing = await stat(baseDir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw sdkError('ASDK_TOOLS_FS_ROOT_INVALID', { root: baseDir, reason: 'it exists and is not a folder' });
    const workspace = new Workspace({ baseDir, limits: config });
    contribute(extensionPoints.tools, ...filesystemTools(workspace, config));
  },
});

export default filesystemPlugin;
