import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const ID_BYTES = 16;
const HEX = '0123456789abcdef';
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;
const scratch = Buffer.allocUnsafe(64);

/**
 * A random id: `prefix` and 128 random bits in hex (`run_3f9a...`). Made as one flat string from a pooled
 * buffer: `crypto.randomUUID()` returns a tree of concatenated strings (over 1 KB retained per id), and a
 * run keeps several ids alive.
 */
export function randomId(prefix: string): string {
  if (offset + ID_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  let at = scratch.write(prefix, 0, 'latin1');
  for (let i = 0; i < ID_BYTES; i++) {
    const byte = pool[offset + i];
    scratch[at++] = HEX.charCodeAt(byte >> 4);
    scratch[at++] = HEX.charCodeAt(byte & 15);
  }
  offset += ID_BYTES;
  return scratch.toString('latin1', 0, at);
}
