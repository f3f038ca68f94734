import {
  describeTarget,
  openMikroOrmStorage,
  resolveStorageOptions,
  storagePlugin,
  type MigrationState,
  type MikroOrmStorage,
  type StorageConfig,
} from '../../adapters/storage-mikro-orm/index.js';
import { resolveConfig } from '../../core/config/resolve.js';
import { readConfigSource, sdkError } from '../../core/index.js';
import { batteries } from '../../index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type Command } from '../command.js';
import { colours } from '../output.js';

const ACTIONS = ['up', 'down', 'status'] as const;
type Action = (typeof ACTIONS)[number];

export const migrateCommand: Command = {
  usage: `Usage: agent-sdk migrate [up|down|status] [--config <file>] [--yes] [--json]

Brings the database of the \`storage\` plugin (storage: in the config, or AGENT_SDK_DATABASE_URL) to the schema
this version of agent-sdk needs. The embedded SQLite default migrates itself at start; Postgres refuses to
start until \`agent-sdk migrate up\` has run. Back up the database before upgrading (docs/operations.md).

Actions:
  status  List applied and pending migrations (the default)
  up      Apply every pending migration, in one transaction
  down    Revert the newest applied migration: its tables and their data are dropped (needs --yes)

Options:
  -c, --config <file>  Config file (default: agent-sdk.config.* in the working directory)
  -y, --yes            Confirm \`down\`
      --json           Print the result as JSON
  -h, --help           Show this help

Exit code: 0 success (also when migrations are pending for \`status\`), 1 failure, 2 usage error.
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('migrate', argv, {
      config: { type: 'string', short: 'c' },
      yes: { type: 'boolean', short: 'y' },
      json: { type: 'boolean' },
    });
    const [action = 'status', ...extra] = positionals;
    if (!ACTIONS.includes(action as Action) || extra.length) {
      throw sdkError('ASDK_CLI_USAGE', { command: 'migrate', reason: `expected one of ${ACTIONS.join(', ')}, found "${[action, ...extra].join(' ')}"` });
    }
    const storage = await openConfiguredStorage(values.config);
    try {
      const result = await perform(storage, action as Action, Boolean(values.yes));
      if (values.json) process.stdout.write(`${JSON.stringify({ adapter: storage.dialect, action, ...result }, null, 2)}\n`);
      else printResult(storage, action as Action, result);
      return EXIT.ok;
    } finally {
      await storage.close();
    }
  },
};

interface MigrateResult {
  readonly applied?: readonly string[];
  readonly reverted?: string | null;
  readonly state: MigrationState;
}

async function perform(storage: MikroOrmStorage, action: Action, confirmed: boolean): Promise<MigrateResult> {
  if (action === 'up') {
    const applied = await storage.migrateUp();
    return { applied, state: await storage.migrations() };
  }
  if (action === 'down') {
    const before = await storage.migrations();
    const newest = before.executed.at(-1)?.name;
    if (newest && !confirmed) {
      throw sdkError('ASDK_CLI_USAGE', {
        command: 'migrate',
        reason: `down reverts ${newest}, dropping what it created with its data; pass --yes to confirm`,
      });
    }
    const reverted = newest ? await storage.migrateDown() : undefined;
    return { reverted: reverted ?? null, state: await storage.migrations() };
  }
  return { state: await storage.migrations() };
}

/** Opens the configured storage without migrating or checking anything (that is this command's job). */
async function openConfiguredStorage(configFile: string | undefined): Promise<MikroOrmStorage> {
  const cwd = process.cwd();
  const env = process.env;
  const source = await readConfigSource({ cwd, env, file: configFile });
  const plugins = batteries().some((p) => p.id === storagePlugin.id) ? batteries() : [...batteries(), storagePlugin];
  const resolved = await resolveConfig({ source, env, plugins });
  // Problems of other plugins do not stop a migration; those of storage and the kernel's folders do.
  const relevant = resolved.problems.filter((p) => !p.path || /^(storage|kernel|plugins)(\.|\[|$)/.test(p.path));
  if (relevant.length) throw sdkError('ASDK_CONFIG_INVALID', { count: relevant.length }, { problems: relevant });
  if (!resolved.plugins.some((p) => p.id === storagePlugin.id)) {
    throw sdkError('ASDK_STORAGE_CONFIG', {
      path: 'plugins.disable',
      reason: 'the storage plugin is disabled, so there is no database to migrate',
      fix: 'Remove "storage" from plugins.disable, or run the command with the config that uses it',
    });
  }
  const slice = resolved.slices.get(storagePlugin.id) as Partial<StorageConfig>;
  const options = resolveStorageOptions(slice, { dataDir: resolved.kernel.dataDir, baseDir: source.baseDir, env });
  return openMikroOrmStorage({ ...options, migrate: 'none' });
}

function printResult(storage: MikroOrmStorage, action: Action, result: MigrateResult): void {
  const c = colours(process.stdout);
  const out: string[] = [`${c.bold(storage.dialect)} ${describeTarget(storage.target)}`];
  if (action === 'up') {
    out.push(result.applied?.length ? result.applied.map((name) => `${c.green('✓')} applied ${name}`).join('\n') : `${c.green('✓')} nothing to apply: the schema is up to date`);
  } else if (action === 'down') {
    out.push(result.reverted ? `${c.green('✓')} reverted ${result.reverted}` : `${c.dim('nothing to revert: no migration is applied')}`);
  }
  const { executed, pending, unknown } = result.state;
  if (action === 'status') {
    for (const m of executed) out.push(`  ${c.green('applied')}  ${m.name}${m.executedAt ? c.dim(`  ${m.executedAt}`) : ''}${unknown.includes(m.name) ? c.red('  (unknown to this version)') : ''}`);
    for (const name of pending) out.push(`  ${c.yellow('pending')}  ${name}`);
    if (!executed.length && !pending.length) out.push('  no migrations');
  }
  if (unknown.length) out.push(c.red(`✗ applied by a newer agent-sdk: ${unknown.join(', ')}; run that version (docs/operations.md)`));
  else if (pending.length) out.push(`${pending.length} pending: run ${c.bold('agent-sdk migrate up')}`);
  else out.push(c.green('up to date'));
  process.stdout.write(`${out.join('\n')}\n`);
}

