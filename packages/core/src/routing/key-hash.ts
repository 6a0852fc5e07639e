import { createHash } from 'node:crypto';

/**
 * What events say instead of a key: the first 16 hex digits of the SHA-256 of the
 * key as the backend stores it (namespace included). Keys can hold personal data
 * and must not reach logs; an operator who suspects a key computes its hash with
 * this same function (exported as `keyHash`) to match an event.
 */
export function keyHash(storedKey: string): string {
  return createHash('sha256').update(storedKey).digest('hex').slice(0, 16);
}
