import type { Compile } from 'typebox/compile';
import { cutAtCodePoint } from '../util/code-points.js';

type Validator = ReturnType<typeof Compile>;

/**
 * A validator's errors as one line a model (or a person) can act on: each with its JSON path, at most
 * five, duplicates removed. `additionalProperties: false` is reported once, naming the extra keys.
 */
export function describeErrors(validator: Validator, value: unknown, max = 5): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const error of validator.Errors(value)) {
    if (error.keyword === 'boolean' && error.message === 'schema is false') continue;
    const at = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '';
    const extra = (error.params as { additionalProperties?: unknown[] }).additionalProperties;
    const message = extra ? `unexpected properties ${extra.map((k) => JSON.stringify(k)).join(', ')}` : error.message;
    const line = at ? `${at}: ${message}` : message;
    if (seen.has(line)) continue;
    seen.add(line);
    parts.push(line);
    if (parts.length === max) break;
  }
  if (!parts.length) return 'does not match the schema';
  return parts.join('; ');
}

/** Why a model's tool arguments do not fit: arguments that did not parse as JSON arrive as the raw text. */
export function describeArgumentErrors(validator: Validator, args: unknown): string {
  if (typeof args === 'string') return `expected a JSON object of arguments, got text that is not valid JSON: ${JSON.stringify(cutAtCodePoint(args, 80))}`;
  return describeErrors(validator, args);
}
