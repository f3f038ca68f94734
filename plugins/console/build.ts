/**
 * Builds the dev console (plugins/console/ui) into browser assets with esbuild: one ES module, one
 * stylesheet (both named by content hash) and index.html. The one build for both ways the console is
 * served: in memory when the server runs from the TypeScript sources (`npm start`), and into dist/console
 * when the package is built (`npm run build` calls this file; the package ships the result).
 *
 * @example
 * ```sh
 * node --import tsx plugins/console/build.ts dist/console   # what `npm run build` does
 * ```
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { consolePage } from './page-html.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const UI = join(HERE, 'ui');

/** One built file: its name under /console/ (index.html is served at /). */
export interface BuiltFile {
  readonly name: string;
  readonly body: Buffer;
}

export interface ConsoleBuild {
  readonly files: readonly BuiltFile[];
  /** Source files the build read, for rebuilding when one changes (source mode). */
  readonly inputs: readonly string[];
}

/** Browsers the console supports: evergreen ones from 2021 on (ES modules, `<dialog>`, CSS variables). */
export const CONSOLE_TARGETS = ['chrome100', 'firefox100', 'safari15.4', 'edge100'];

/** Builds the console in memory. Minified, no source maps: what ships is what the size budget measures. */
export async function buildConsole(): Promise<ConsoleBuild> {
  const result = await esbuild.build({
    entryPoints: { app: join(UI, 'main.tsx'), styles: join(UI, 'styles.css') },
    bundle: true,
    write: false,
    outdir: '/console',
    entryNames: '[name]-[hash]',
    format: 'esm',
    target: CONSOLE_TARGETS,
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files: BuiltFile[] = result.outputFiles.map((file) => ({ name: basename(file.path), body: Buffer.from(file.contents) }));
  const script = files.find((f) => /^app-[A-Z0-9]+\.js$/.test(f.name));
  const stylesheet = files.find((f) => /^styles-[A-Z0-9]+\.css$/.test(f.name));
  if (!script || !stylesheet) throw new Error(`the console build made ${files.map((f) => f.name).join(', ')}; expected app-<hash>.js and styles-<hash>.css`);
  files.push({ name: 'index.html', body: Buffer.from(consolePage(script.name, stylesheet.name)) });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes('node_modules'))
    .map((input) => resolve(input));
  return { files, inputs };
}

/** Builds the console into `outDir`, replacing what was there. */
export async function writeConsole(outDir: string): Promise<ConsoleBuild> {
  const build = await buildConsole();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const file of build.files) writeFileSync(join(outDir, file.name), file.body);
  return build;
}

/** Raw and gzipped bytes of what a browser downloads (the script and the stylesheet; index.html aside). */
export function bundleSize(build: ConsoleBuild): { raw: number; gzip: number; files: { name: string; raw: number; gzip: number }[] } {
  const files = build.files
    .filter((f) => f.name !== 'index.html')
    .map((f) => ({ name: f.name, raw: f.body.length, gzip: gzipSync(f.body, { level: 9 }).length }));
  return { raw: files.reduce((n, f) => n + f.raw, 0), gzip: files.reduce((n, f) => n + f.gzip, 0), files };
}

// `node --import tsx plugins/console/build.ts <outDir>`
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = resolve(process.argv[2] ?? 'dist/console');
  const started = Date.now();
  writeConsole(outDir).then(
    (build) => {
      const size = bundleSize(build);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      process.stdout.write(`console → ${outDir} in ${Date.now() - started} ms: ${size.files.map((f) => `${f.name} ${kb(f.raw)} (${kb(f.gzip)} gz)`).join(', ')}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`console build failed: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
