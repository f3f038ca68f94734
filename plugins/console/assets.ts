import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Logger } from '../../core/index.js';
import type { BuiltFile, ConsoleBuild } from './build.js';

/** One file ready to serve: its bytes, precompressed variants, an ETag and its cache policy. */
export interface ServedAsset {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly br?: Buffer;
  /** Strong ETag of the content (quoted); encodings add a suffix. */
  readonly etag: string;
  /** Content-hashed names never change: cached for a year. index.html is revalidated every time. */
  readonly immutable: boolean;
}

/** Where the assets come from: built in memory from plugins/console/ui, or read from dist/console. */
export type AssetSource = { readonly kind: 'source' } | { readonly kind: 'built'; readonly dir: string };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.map', '.svg']);
const HASHED = /-[A-Za-z0-9]{8,}\.[a-z0-9]+$/;
/** Builds of older versions kept in source mode, so a page loaded before a rebuild still gets its files. */
const KEPT_BUILDS = 4;

/**
 * The console's files, loaded on first request (a server that nobody opens in a browser pays nothing).
 * In source mode the UI is built with esbuild in memory, and rebuilt when a source file changed since
 * (checked when index.html is requested), so editing the UI and reloading the page is enough.
 */
export class ConsoleAssets {
  readonly #source: AssetSource;
  readonly #logger: Logger;
  #loading: Promise<Map<string, ServedAsset>> | undefined;
  #builtAt = 0;
  #inputs: readonly string[] = [];
  #generations: Map<string, ServedAsset>[] = [];

  constructor(source: AssetSource, logger: Logger) {
    this.#source = source;
    this.#logger = logger;
  }

  get source(): AssetSource {
    return this.#source;
  }

  /** The page at `/`. Rebuilds first in source mode when a source file changed. */
  async index(): Promise<ServedAsset> {
    if (this.#source.kind === 'source' && this.#loading && this.#stale()) this.#loading = undefined;
    const files = await this.#load();
    const page = files.get('index.html');
    if (!page) throw new Error('the console build has no index.html');
    return page;
  }

  /** A file under /console/, or undefined. */
  async file(name: string): Promise<ServedAsset | undefined> {
    if (name === 'index.html') return undefined;
    await this.#load();
    for (const generation of this.#generations) {
      const asset = generation.get(name);
      if (asset) return asset;
    }
    return undefined;
  }

  #load(): Promise<Map<string, ServedAsset>> {
    this.#loading ??= this.#read().then(
      (files) => {
        this.#generations = [files, ...this.#generations].slice(0, KEPT_BUILDS);
        return files;
      },
      (error: unknown) => {
        // Not cached: the next request tries again (after the source is fixed, or the build is made).
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  async #read(): Promise<Map<string, ServedAsset>> {
    if (this.#source.kind === 'built') return serve(readBuiltDir(this.#source.dir));
    const started = Date.now();
    // Only when running from the TypeScript sources: the bundled package never reaches this import.
    const { buildConsole } = (await import(new URL('./build.ts', import.meta.url).href)) as typeof import('./build.js');
    const build: ConsoleBuild = await buildConsole();
    this.#builtAt = started;
    this.#inputs = build.inputs;
    this.#logger.debug('console built from source', { ms: Date.now() - started, files: build.files.map((f) => f.name) });
    return serve(build.files);
  }

  #stale(): boolean {
    if (!this.#builtAt) return false;
    for (const input of this.#inputs) {
      try {
        if (statSync(input).mtimeMs > this.#builtAt) return true;
      } catch {
        return true; // a file was removed or renamed
      }
    }
    // A new file in a folder the build read (a new component) shows up as a newer folder.
    for (const dir of new Set(this.#inputs.map((input) => dirname(input)))) {
      try {
        if (statSync(dir).mtimeMs > this.#builtAt) return true;
      } catch {
        return true;
      }
    }
    return false;
  }
}

function readBuiltDir(dir: string): BuiltFile[] {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the console's built assets are not in ${dir}: run \`npm run build\` (or set console.assets: source in a source checkout)`);
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ name: entry.name, body: readFileSync(join(dir, entry.name)) }));
}

function serve(files: readonly BuiltFile[]): Map<string, ServedAsset> {
  const served = new Map<string, ServedAsset>();
  for (const { name, body } of files) {
    const ext = extname(name);
    const compress = COMPRESSIBLE.has(ext) && body.length > 512;
    served.set(name, {
      name,
      contentType: TYPES[ext] ?? 'application/octet-stream',
      body,
      ...(compress && {
        gzip: gzipSync(body, { level: 9 }),
        br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: name !== 'index.html' && HASHED.test(name),
    });
  }
  return served;
}

/**
 * Where the assets come from for `console.assets`: `auto` builds from source when this module itself runs
 * from TypeScript (a source checkout under tsx: `npm start`), and serves dist/console otherwise (the
 * installed package, or `node dist/cli.js`).
 */
export function assetSource(mode: 'auto' | 'built' | 'source', moduleUrl: string = import.meta.url): AssetSource {
  const fromSource = mode === 'source' || (mode === 'auto' && /\.tsx?$/.test(new URL(moduleUrl).pathname));
  return fromSource ? { kind: 'source' } : { kind: 'built', dir: join(packageRoot(fileURLToPath(moduleUrl)), 'dist', 'console') };
}

/** The folder of agent-sdk's package.json above `file` (the source tree, or the installed package). */
function packageRoot(file: string): string {
  let dir = dirname(file);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'agent-sdk') return dir;
      } catch {
        // unreadable: keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return dirname(file);
    dir = parent;
  }
}
