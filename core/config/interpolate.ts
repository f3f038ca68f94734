import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { problem, type Problem } from '../errors/agent-sdk-error.js';
import { joinPath } from './validate.js';

const REFERENCE = /\$\$\{|\$\{(env|file):([^}]*)\}/g;

export interface InterpolationResult {
  value: unknown;
  problems: Problem[];
  /** Paths whose whole value came from a reference: validation may turn "8080" into 8080 there. */
  coercible: Set<string>;
}

/**
 * Replaces `${env:NAME}`, `${env:NAME:-fallback}` and `${file:path}` in every string of a config value
 * (`$${` writes a literal `${`). A missing variable or unreadable file is a problem naming its path.
 */
export function interpolate(value: unknown, options: { env: Readonly<Record<string, string | undefined>>; baseDir: string }): InterpolationResult {
  const problems: Problem[] = [];
  const coercible = new Set<string>();

  const replaceIn = (text: string, path: string): string => {
    let whole = false;
    const out = text.replace(REFERENCE, (match, kind: string | undefined, ref: string, offset: number) => {
      if (kind === undefined) return '${';
      whole = match.length === text.length && offset === 0;
      if (kind === 'env') {
        const [name, fallback] = splitFallback(ref);
        const found = options.env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        problems.push(problem('ASDK_CONFIG_ENV_MISSING', { name }, { path }));
        return '';
      }
      const file = resolve(options.baseDir, ref.trim());
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        problems.push(problem('ASDK_CONFIG_FILE_REF', { file, reason: (error as NodeJS.ErrnoException).code ?? String(error) }, { path }));
        return '';
      }
    });
    if (whole) coercible.add(path);
    return out;
  };

  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') return node.includes('$') ? replaceIn(node, path) : node;
    if (Array.isArray(node)) return node.map((item, i) => walk(item, joinPath(path, i)));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, joinPath(path, key));
      return out;
    }
    return node;
  };

  return { value: walk(value, ''), problems, coercible };
}

function splitFallback(ref: string): [string, string | undefined] {
  const at = ref.indexOf(':-');
  return at === -1 ? [ref.trim(), undefined] : [ref.slice(0, at).trim(), ref.slice(at + 2)];
}
