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

/** Checks a key before it is sent: the store's key rules, then this backend's size limit. */
export function checkKey(key: unknown, maxKeyBytes: number): asserts key is string {
  validateKey(key);
  if (!fitsBackend(key, maxKeyBytes)) {
    throw new InvalidKeyError(`key is longer than ${maxKeyBytes} UTF-8 bytes`);
  }
}

/** Checks a key prefix for `clear`; the empty prefix (every key) is allowed. */
export function checkPrefix(prefix: unknown, maxKeyBytes: number): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidKeyError('a prefix must be a string');
  if (prefix.length > 0) checkKey(prefix, maxKeyBytes);
}

/** Checks a value and returns what ioredis should send: the string itself, or a Buffer view (no copy) of bytes. */
export function toValue(value: unknown, maxValueBytes: number): Buffer | string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new SerializationError('a backend value must be a Uint8Array or a string');
  }
  if (!storedValueFits(value, maxValueBytes)) {
    throw new ValueTooLargeError(
      `value of ${storedByteLength(value)} bytes exceeds this backend's limit of ${maxValueBytes} bytes`,
    );
  }
  // Strings go to ioredis as they are: it sends them on its cheaper string path.
  return typeof value === 'string' ? value : storedBytes(value);
}

export function checkTtl(ttlMs: unknown): asserts ttlMs is number | undefined {
  if (ttlMs === undefined) return;
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new InvalidTtlError(
      `ttlMs must be a positive integer or undefined, got ${String(ttlMs)}`,
    );
  }
}
