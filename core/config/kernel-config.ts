import { Type, type Static } from 'typebox';

/** The kernel's own sections of the config file: `kernel:` and `plugins:`. */
export const KernelSection = Type.Object(
  {
    dataDir: Type.String({ default: './.agent-sdk', description: 'Folder for the SQLite file, logs and workspaces' }),
    logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('silent')], {
      default: 'info',
    }),
    startTimeoutMs: Type.Integer({ minimum: 1, default: 30_000, description: 'Longest a plugin may take in init or start' }),
    stopTimeoutMs: Type.Integer({ minimum: 1, default: 10_000, description: 'Longest a plugin may take in stop' }),
  },
  { additionalProperties: false },
);
export type KernelSection = Static<typeof KernelSection>;

export const PluginsSection = Type.Object(
  {
    load: Type.Array(Type.String(), { default: [], description: 'Plugin modules: paths relative to the config file, or package names' }),
    disable: Type.Array(Type.String(), { default: [], description: 'Ids of built-in plugins to leave out' }),
  },
  { additionalProperties: false },
);
export type PluginsSection = Static<typeof PluginsSection>;

export const KERNEL_SECTIONS = ['kernel', 'plugins'] as const;
