import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DoctorCheck } from '../../core/index.js';
import { describeTarget, resolveStorageOptions, type StorageConfig } from './config.js';
import { openMikroOrmStorage } from './mikro-orm-storage.js';

/**
 * `agent-sdk doctor`: the database is reachable and its schema is current. Changes nothing: a SQLite file
 * that does not exist yet is not created (its folder must be writable), and no migration is applied.
 */
export const storageDoctorCheck: DoctorCheck = {
  name: 'storage',
  async run({ config, kernel }) {
    const options = resolveStorageOptions(config as Partial<StorageConfig>, kernel);
    const { target } = options;
    const where = `${target.adapter} ${describeTarget(target)}`;
    if (target.adapter === 'sqlite' && target.file !== ':memory:' && !existsSync(target.file)) {
      const folder = nearestExisting(dirname(target.file));
      try {
        accessSync(folder, constants.W_OK);
      } catch {
        return { ok: false, detail: `${where}: cannot create the file, ${folder} is not writable`, hint: 'Make the folder writable, or set storage.path (or kernel.dataDir) elsewhere.' };
      }
      return { ok: true, detail: `${where} will be created and migrated at the first start` };
    }
    const storage = await openMikroOrmStorage({ ...options, migrate: 'none' });
    try {
      const { pending, unknown } = await storage.migrations();
      if (unknown.length) {
        return { ok: false, detail: `${where}: migrated by a newer agent-sdk (${unknown.join(', ')})`, hint: 'Upgrade agent-sdk, or restore a backup taken before that upgrade (docs/operations.md).' };
      }
      if (!pending.length) return { ok: true, detail: `${where} is reachable and migrated` };
      if (options.autoMigrate) return { ok: true, detail: `${where} is reachable; ${pending.length} migration(s) will be applied at start` };
      return {
        ok: false,
        detail: `${where} is reachable but ${pending.length} migration(s) are pending: ${pending.join(', ')}`,
        hint: `Back up the database, then run: agent-sdk migrate up${kernel.configFile ? ` --config ${kernel.configFile}` : ''}`,
      };
    } finally {
      await storage.close();
    }
  },
};

function nearestExisting(folder: string): string {
  let current = folder;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}
