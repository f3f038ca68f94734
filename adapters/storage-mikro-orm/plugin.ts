import { contribution, definePlugin, extensionPoints, ports, type PluginContext } from '../../core/index.js';
import { resolveStorageOptions, StorageConfig } from './config.js';
import { storageDoctorCheck } from './doctor-check.js';
import { openMikroOrmStorage, type MikroOrmStorage } from './mikro-orm-storage.js';

/** The storage each kernel opened (a plugin object may serve several kernels; they share nothing). */
const opened = new WeakMap<object, MikroOrmStorage>();

/**
 * The `storage` plugin: provides `ports.storage` on SQLite (the embedded default, a file under
 * `kernel.dataDir`, migrated at start) or Postgres (refuses to start with pending migrations).
 *
 * @example
 * ```yaml
 * storage:
 *   adapter: postgres
 *   url: postgres://agent:secret@db:5432/agent
 * ```
 */
export const storagePlugin = definePlugin({
  id: 'storage',
  version: '1.0.0',
  description: 'Storage on MikroORM: SQLite (embedded default) or Postgres',
  config: StorageConfig,
  provides: [ports.storage],
  requires: { clock: ports.clock },
  // Optional: the event log records its append latency when a metrics plugin is enabled.
  optional: { metrics: ports.metrics },
  contributes: [contribution(extensionPoints.doctorChecks, storageDoctorCheck)],
  // Opening may apply migrations to a large SQLite file; the kernel's default of 30 s still applies.
  async init(ctx) {
    const options = resolveStorageOptions(ctx.config, ctx.kernel);
    const storage = await openMikroOrmStorage({
      ...options,
      clock: () => ctx.deps.clock.now(),
      logger: ctx.logger,
      metrics: ctx.deps.metrics,
      migrateCommand: migrateCommandFor(ctx),
    });
    opened.set(ctx, storage);
    ctx.provide(ports.storage, storage);
    ctx.logger.debug('storage opened', { adapter: storage.dialect });
  },
  async stop(ctx) {
    const storage = opened.get(ctx);
    opened.delete(ctx);
    await storage?.close();
  },
});

/** `agent-sdk migrate up`, with the config file the kernel was started from. */
function migrateCommandFor(ctx: PluginContext): string {
  const file = ctx.kernel.configFile;
  return file ? `agent-sdk migrate up --config ${JSON.stringify(file).slice(1, -1)}` : 'agent-sdk migrate up';
}
