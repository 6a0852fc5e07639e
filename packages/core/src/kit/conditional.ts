import type { ConditionalEntry } from '../backend.js';
import { SerializationError } from '../errors.js';
import { isStamp } from '../recovery/hlc.js';
import { checkTtlMs, checkValue } from './input.js';
import { checkKey } from './keys.js';

/**
 * A backend's check of one conditional-write entry (see `ConditionalWrites`), the
 * same as for `setMany` plus the stamp: the key against the backend's limit, the
 * TTL, the value, and a stamp that is a non-negative safe integer. Throws the
 * same typed errors as those checks; `SerializationError` for a bad stamp.
 */
export function checkConditionalEntry(
  entry: ConditionalEntry,
  backend: string,
  limits: { readonly maxKeyBytes: number; readonly maxValueBytes: number },
): void {
  checkKey(entry.key, limits.maxKeyBytes);
  checkTtlMs(entry.ttlMs);
  checkValue(entry.value, backend, limits.maxValueBytes);
  if (!isStamp(entry.stamp)) {
    throw new SerializationError(
      `a conditional entry's stamp must be a non-negative safe integer, got ${String(entry.stamp)}`,
    );
  }
}
