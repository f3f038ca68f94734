import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** agent-sdk's own package.json, found by walking up from this module (source tree and dist/ alike). */
export function packageInfo(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'agent-sdk') return { name: pkg.name, version: pkg.version };
    }
    const parent = dirname(dir);
    if (parent === dir) return { name: 'agent-sdk', version: 'unknown' };
    dir = parent;
  }
}
