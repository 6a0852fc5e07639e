import { createHash } from 'node:crypto';

/**
 * How a store key becomes a memcached key. Memcached refuses keys over 250 bytes and
 * keys with spaces or control characters, and every key carries the generations that
 * make `clear(prefix)` work (see generations.ts):
 *
 * - `<tag>:<key>` when the key is printable ASCII (0x21-0x7E) and the whole fits 250 bytes;
 * - otherwise `#` + the SHA-256 of `<tag>\n<key>` (UTF-8), base64url: 44 bytes in all.
 *
 * The tag is digits and dots, so a plain key (starting with a digit) never looks like a
 * digest (starting with `#`), and the tag ends at the first `:`. Two keys share a digest
 * only through a SHA-256 collision: about 2^-128 for any pair.
 */
export const MEMCACHED_KEY_LIMIT_BYTES = 250;

export function storedKey(tag: string, key: string): string {
  if (tag.length + 1 + key.length <= MEMCACHED_KEY_LIMIT_BYTES && isPlain(key)) {
    return `${tag}:${key}`;
  }
  return `#${createHash('sha256').update(tag).update('\n').update(key, 'utf8').digest('base64url')}`;
}

function isPlain(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit < 0x21 || unit > 0x7e) return false;
  }
  return true;
}
