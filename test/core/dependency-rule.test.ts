// The dependency rule of docs/architecture.md, checked on the source: core/ knows no adapter, plugin, example
// or composition root, and adapters/ and plugins/ reach core only through its public surface or their own files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(path);
  }
  return out;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)].map((m) => relative(repoRoot, resolve(dirname(file), m[1])));
}

test('core/ imports nothing outside core/', () => {
  const offenders = sourceFiles(join(repoRoot, 'core')).flatMap((file) =>
    relativeImports(file).filter((target) => !target.startsWith('core/')).map((target) => `${relative(repoRoot, file)} -> ${target}`),
  );
  assert.equal(offenders, []);
});

test('adapters/ and plugins/ do not import composition roots, examples, the CLI or each other\'s internals', () => {
  const offenders: string[] = [];
  for (const top of ['adapters', 'plugins']) {
    let files: string[] = [];
    try {
      files = sourceFiles(join(repoRoot, top));
    } catch {
      continue;
    }
    for (const file of files) {
      const own = relative(repoRoot, file).split('/').slice(0, 2).join('/');
      for (const target of relativeImports(file)) {
        const allowed =
          target.startsWith(`${own}/`) ||
          target.startsWith('core/') ||
          /^(adapters|plugins)\/[^/]+\/index\.(js|ts)$/.test(target);
        if (!allowed) offenders.push(`${relative(repoRoot, file)} -> ${target}`);
      }
    }
  }
  assert.equal(offenders, []);
});

test.run();
