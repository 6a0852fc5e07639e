import type { StoredValue } from '../backend.js';

/** Size of a stored value in bytes (a string counts as its UTF-8 encoding). */
export function storedByteLength(value: StoredValue): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
}

/** True when `value` is at most `maxBytes`; most strings are decided without counting. */
export function storedValueFits(value: StoredValue, maxBytes: number): boolean {
  if (typeof value !== 'string') return value.byteLength <= maxBytes;
  // One UTF-16 unit is at most 3 UTF-8 bytes.
  if (value.length * 3 <= maxBytes) return true;
  if (value.length > maxBytes) return false;
  return Buffer.byteLength(value, 'utf8') <= maxBytes;
}

/** The value's bytes as a Buffer: a view of a Uint8Array, the UTF-8 of a string. */
export function storedBytes(value: StoredValue): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
