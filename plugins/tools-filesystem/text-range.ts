import type { FileHandle } from 'node:fs/promises';
import { fail } from './confined-fs.js';

const CHUNK = 64 * 1024;

/** Reads `length` bytes from `offset` (fewer at the end of the file), checking for cancellation between chunks. */
export async function readRange(handle: FileHandle, offset: number, length: number, signal?: AbortSignal): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, filled, Math.min(CHUNK, length - filled), offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a range as UTF-8 text, refusing binary. A range may start or end inside a multi-byte character:
 * leading continuation bytes are skipped and a cut character at the end is left for the next read.
 */
export function decodeText(buffer: Buffer, offset: number, atEnd: boolean, shown: string): { content: string; bytes: number; skipped: number } {
  let start = 0;
  if (offset > 0) while (start < Math.min(3, buffer.length) && (buffer[start] & 0xc0) === 0x80) start++;
  let end = buffer.length;
  if (!atEnd) {
    let back = end - 1;
    while (back > start && end - back < 4 && (buffer[back] & 0xc0) === 0x80) back--;
    const lead = buffer[back];
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (back >= start && end - back < need) end = back;
  }
  const slice = buffer.subarray(start, end);
  if (slice.length === 0 && buffer.length > 0) throw fail('FS_INVALID_RANGE', 'The length is too small to hold one character; ask for at least 4 bytes.');
  if (slice.includes(0)) throw fail('FS_BINARY', `"${shown}" looks binary (it contains NUL bytes); only text files can be read.`);
  try {
    return { content: utf8.decode(slice), bytes: end, skipped: start };
  } catch {
    throw fail('FS_BINARY', `"${shown}" is not UTF-8 text; only text files can be read.`);
  }
}
