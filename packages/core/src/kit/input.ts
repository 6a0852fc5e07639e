import type { StoredValue } from '../backend.js';
import { InvalidTtlError, SerializationError, ValueTooLargeError } from '../errors.js';
import { storedByteLength, storedValueFits } from './stored-value.js';

/**
 * The TTL a backend receives: a positive safe integer of milliseconds, or
 * `undefined` for no expiry. Throws `InvalidTtlError`.
 */
export function checkTtlMs(ttlMs: unknown): asserts ttlMs is number | undefined {
  if (ttlMs === undefined) return;
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new InvalidTtlError(
      `ttlMs must be a positive integer or undefined, got ${String(ttlMs)}`,
    );
  }
}

/** The error for a value over a backend's limit, worded the same by every backend. */
export function valueTooLarge(
  value: StoredValue,
  backend: string,
  maxValueBytes: number,
): ValueTooLargeError {
  return new ValueTooLargeError(
    `value of ${storedByteLength(value)} bytes exceeds backend "${backend}" limit of ${maxValueBytes} bytes`,
  );
}

/**
 * A backend's value check: a `StoredValue` (bytes or a string) of at most
 * `maxValueBytes` UTF-8 bytes. Throws `SerializationError` for anything else
 * and `ValueTooLargeError` for a value over the limit.
 */
export function checkValue(
  value: unknown,
  backend: string,
  maxValueBytes: number,
): asserts value is StoredValue {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new SerializationError('a backend value must be a Uint8Array or a string');
  }
  if (!storedValueFits(value, maxValueBytes)) throw valueTooLarge(value, backend, maxValueBytes);
}
