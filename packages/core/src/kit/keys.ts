import { InvalidKeyError } from '../errors.js';

/**
 * The key rules, in one place. A key is a non-empty, well-formed string: a lone
 * UTF-16 surrogate has no UTF-8 form, so it would be stored under a different key
 * (U+FFFD) than the one the caller used and two keys could collide.
 */

/** How much of a bad key an error message may quote; keys can be megabytes long. */
const PREVIEW_CHARS = 32;

/** Above this length the native byte counter beats a JavaScript loop. */
const NATIVE_COUNT_FROM = 256;

// `isWellFormed` is in Node >= 20 but not in the ES2023 lib typings this project uses.
interface WellFormedString {
  isWellFormed(): boolean;
}

/** A short, quoted form of a key for error messages. */
export function preview(key: string): string {
  const head = key.length > PREVIEW_CHARS ? `${key.slice(0, PREVIEW_CHARS)}…` : key;
  return `${JSON.stringify(head)} (${key.length} chars)`;
}

/** False when `text` holds a lone UTF-16 surrogate (it has no UTF-8 form). */
export function isWellFormed(text: string): boolean {
  return (text as string & WellFormedString).isWellFormed();
}

/** Throws `InvalidKeyError` unless `key` is a non-empty, well-formed string. */
export function validateKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new InvalidKeyError(`a key must be a string, got ${key === null ? 'null' : typeof key}`);
  }
  if (key.length === 0) throw new InvalidKeyError('a key must not be empty');
  if (!isWellFormed(key)) {
    throw new InvalidKeyError(
      `key ${preview(key)} contains a lone surrogate and has no UTF-8 form`,
    );
  }
}

/** The key's length in UTF-8 bytes, as a backend will see it. */
export function keyBytes(key: string): number {
  if (key.length > NATIVE_COUNT_FROM) return Buffer.byteLength(key, 'utf8');
  let bytes = key.length;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
      continue;
    }
    // Everything else is 3 bytes, except a surrogate pair: 4 bytes for 2 units.
    bytes += 2;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = key.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return bytes;
}

/** True when the key fits a backend's `maxKeyBytes`. */
export function fitsBackend(key: string, maxKeyBytes: number): boolean {
  // One UTF-16 unit is 1 to 3 UTF-8 bytes, so most keys are decided without counting.
  if (key.length * 3 <= maxKeyBytes) return true;
  if (key.length > maxKeyBytes) return false;
  return keyBytes(key) <= maxKeyBytes;
}

/**
 * A backend's key check: the store's key rules, then the backend's own size limit.
 * Throws `InvalidKeyError`.
 */
export function checkKey(key: unknown, maxKeyBytes: number): asserts key is string {
  validateKey(key);
  if (!fitsBackend(key, maxKeyBytes)) {
    throw new InvalidKeyError(`key ${preview(key)} is longer than ${maxKeyBytes} UTF-8 bytes`);
  }
}

/** The key check for `clear(prefix)`: the empty prefix (every key) is allowed. */
export function checkPrefix(prefix: unknown, maxKeyBytes: number): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidKeyError('a prefix must be a string');
  if (prefix.length > 0) checkKey(prefix, maxKeyBytes);
}
