import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { DoctorCheck, KernelInfo } from '../../core/index.js';

/** The folder holding one workspace per org: `root` (relative to the config file), else `<dataDir>/workspace`. */
export function workspaceRoot(config: { readonly root?: string }, kernel: Pick<KernelInfo, 'dataDir' | 'baseDir'>): string {
  if (config.root === undefined) return join(kernel.dataDir, 'workspace');
  return isAbsolute(config.root) ? config.root : resolve(kernel.baseDir, config.root);
}

/** `agent-sdk doctor`: the workspace root is a writable folder, or can be created. Creates nothing. */
export const workspaceDoctorCheck: DoctorCheck = {
  name: 'workspace',
  async run({ config, kernel }) {
    const root = workspaceRoot(config as { root?: string }, kernel);
    const hint = 'Make it writable, or set tools-filesystem.root to a folder agent-sdk may write.';
    if (existsSync(root)) {
      if (!statSync(root).isDirectory()) return { ok: false, detail: `${root} exists and is not a folder`, hint: 'Point tools-filesystem.root at a folder.' };
      try {
        accessSync(root, constants.W_OK | constants.X_OK);
        return { ok: true, detail: `${root} is writable` };
      } catch {
        return { ok: false, detail: `${root} is not writable`, hint };
      }
    }
    let folder = dirname(root);
    while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
    try {
      accessSync(folder, constants.W_OK | constants.X_OK);
      return { ok: true, detail: `${root} will be created on first use` };
    } catch {
      return { ok: false, detail: `${root} cannot be created: ${folder} is not writable`, hint };
    }
  },
};
