import { checkKey, checkPrefix, checkValue, storedBytes } from '@resilient-store/core/backend';
import { POSTGRES_MAX_KEY_BYTES } from './options.js';

/** A checked key as PostgreSQL stores it: its UTF-8 bytes. */
export function keyParam(key: unknown): Buffer {
  checkKey(key, POSTGRES_MAX_KEY_BYTES);
  return Buffer.from(key, 'utf8');
}

/** A checked prefix for `clear`, as bytes; the empty prefix (every key) is allowed. */
export function prefixParam(prefix: unknown): Buffer {
  checkPrefix(prefix, POSTGRES_MAX_KEY_BYTES);
  return Buffer.from(prefix, 'utf8');
}

/** A checked value as a Buffer: pg sends Buffers as binary parameters, without escaping. */
export function valueParam(value: unknown, backend: string, maxValueBytes: number): Buffer {
  checkValue(value, backend, maxValueBytes);
  return storedBytes(value);
}

/**
 * The first byte string above every string that starts with `prefix`, or `null` when
 * there is none (a prefix of only 0xFF bytes, which UTF-8 never produces). Keys in
 * [prefix, upper) are exactly the keys with that prefix, since bytea compares bytes.
 */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return null;
  const upper = Buffer.from(prefix.subarray(0, end));
  upper[end - 1] = (upper[end - 1] as number) + 1;
  return upper;
}
