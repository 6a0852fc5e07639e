import {
  fitsBackend,
  InvalidKeyError,
  SerializationError,
  storedByteLength,
  storedBytes,
  storedValueFits,
  ValueTooLargeError,
  validateKey,
} from '@resilient-store/core';
import { MEMCACHED_MAX_KEY_BYTES } from './options.js';

/** Checks a key before it is mapped: the store's key rules, then this backend's size cap. */
export function checkKey(key: unknown): asserts key is string {
  validateKey(key);
  if (!fitsBackend(key, MEMCACHED_MAX_KEY_BYTES)) {
    throw new InvalidKeyError(`key is longer than ${MEMCACHED_MAX_KEY_BYTES} UTF-8 bytes`);
  }
}

/** Checks a key prefix for `clear`; the empty prefix (every key) is allowed. */
export function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidKeyError('a prefix must be a string');
  if (prefix.length > 0) checkKey(prefix);
}

/** Checks a value against the item limit before anything is sent; strings go to memjs as they are. */
export function toValue(value: unknown, maxValueBytes: number): Buffer | string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new SerializationError('a backend value must be a Uint8Array or a string');
  }
  if (!storedValueFits(value, maxValueBytes)) {
    throw new ValueTooLargeError(
      `value of ${storedByteLength(value)} bytes exceeds this backend's limit of ${maxValueBytes} bytes`,
    );
  }
  return typeof value === 'string' ? value : storedBytes(value);
}
