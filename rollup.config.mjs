// Builds dist/: the library (ESM + CJS), agent-sdk/testing (ESM + CJS), type declarations, the CLI, and the dev console.
import { builtinModules } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/** ESM-only dependencies are bundled into the CJS build so `require('agent-sdk')` works on every Node 20. */
const esmOnly = new Set(['typebox']);

const isDependency = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));
const external = (format) => (id) => builtins.has(id) || (isDependency(id) && !(format === 'cjs' && [...esmOnly].some((dep) => id === dep || id.startsWith(`${dep}/`))));

const ts = () => esbuild({ target: 'node20', tsconfig: 'tsconfig.json', sourceMap: false });
const silenceCircular = (warning, warn) => {
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
  warn(warning);
};

/**
 * The dev console's browser assets (dist/console): plugins/console/build.ts bundles the UI with esbuild, the
 * same build the server runs in memory from source, so what ships is what the tests and the size budget measured.
 */
const consoleAssets = () => ({
  name: 'console-assets',
  closeBundle() {
    execFileSync(process.execPath, ['--import', 'tsx', 'plugins/console/build.ts', 'dist/console'], { stdio: 'inherit' });
  },
});

export default [
  {
    input: { index: 'index.ts', testing: 'testing.ts', otel: 'otel.ts', cli: 'cli/main.ts' },
    external: external('esm'),
    plugins: [ts(), consoleAssets()],
    onwarn: silenceCircular,
    output: { dir: 'dist', format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
  {
    input: { index: 'index.ts', testing: 'testing.ts', otel: 'otel.ts' },
    external: external('cjs'),
    plugins: [ts(), (await import('@rollup/plugin-node-resolve')).default({ exportConditions: ['import', 'default'] })],
    onwarn: silenceCircular,
    output: { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', exports: 'named', interop: 'auto' },
  },
  {
    input: { index: 'index.ts', testing: 'testing.ts', otel: 'otel.ts' },
    plugins: [dts({ tsconfig: 'tsconfig.json' })],
    external: (id) => builtins.has(id) || isDependency(id),
    output: { dir: 'dist', format: 'esm', entryFileNames: '[name].d.ts' },
  },
];
