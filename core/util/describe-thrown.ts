import { cutAtCodePoint } from './code-points.js';

/** Longest description kept: a thrown value may be a huge object, and its text ends up in events. */
const MAX_CHARS = 2_000;

/**
 * A thrown value as text, for a message: an Error's message (or its name), a string as it is, anything else
 * as JSON or `String(value)`. It never throws, whatever was thrown (a circular object, a BigInt, an object
 * without a prototype, a Proxy whose traps throw, an Error whose `message` getter throws), because it runs
 * in the handlers that report failures: an exception there would escape as an unhandled rejection.
 *
 * @example
 * ```ts
 * const circular: any = {}; circular.self = circular;
 * describeThrown(circular); // '[object Object]'
 * ```
 */
export function describeThrown(value: unknown): string {
  return cutAtCodePoint(describe(value), MAX_CHARS);
}

function describe(value: unknown): string {
  try {
    if (typeof value === 'string') return value;
    if (value instanceof Error) {
      const message: unknown = value.message;
      if (typeof message === 'string' && message) return message;
      const name: unknown = value.name;
      return typeof name === 'string' && name ? name : 'Error';
    }
    if (typeof value === 'object' && value !== null) {
      const json = JSON.stringify(value);
      if (typeof json === 'string') return json;
    }
  } catch {
    // A circular object, a BigInt inside, a throwing getter or Proxy trap: fall through to the plain forms.
  }
  try {
    return String(value);
  } catch {
    // An object without a prototype has no toString.
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'a value that cannot be described';
  }
}
