import {
  fitsBackend,
  InvalidKeyError,
  InvalidTtlError,
  SerializationError,
  storedByteLength,
  storedBytes,
  storedValueFits,
  ValueTooLargeError,
  validateKey,
} from '@resilient-store/core';
import { POSTGRES_MAX_KEY_BYTES } from './options.js';

/** A checked key as PostgreSQL stores it: its UTF-8 bytes. */
export function keyParam(key: unknown): Buffer {
  validateKey(key);
  const checked: string = key;
  if (!fitsBackend(checked, POSTGRES_MAX_KEY_BYTES)) {
    throw new InvalidKeyError(`key is longer than ${POSTGRES_MAX_KEY_BYTES} UTF-8 bytes`);
  }
  return Buffer.from(checked, 'utf8');
}

/** A checked prefix for `clear`; the empty prefix (every key) is allowed. */
export function prefixParam(prefix: unknown): Buffer {
  if (typeof prefix !== 'string') throw new InvalidKeyError('a prefix must be a string');
  return prefix.length === 0 ? Buffer.alloc(0) : keyParam(prefix);
}

/** A checked value as a Buffer: pg sends Buffers as binary parameters, without escaping. */
export function valueParam(value: unknown, maxValueBytes: number): Buffer {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new SerializationError('a backend value must be a Uint8Array or a string');
  }
  if (!storedValueFits(value, maxValueBytes)) {
    throw new ValueTooLargeError(
      `value of ${storedByteLength(value)} bytes exceeds this backend's limit of ${maxValueBytes} bytes`,
    );
  }
  return storedBytes(value);
}

export function checkTtl(ttlMs: unknown): asserts ttlMs is number | undefined {
  if (ttlMs === undefined) return;
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new InvalidTtlError(
      `ttlMs must be a positive integer or undefined, got ${String(ttlMs)}`,
    );
  }
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
