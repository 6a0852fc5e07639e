import { checkTtlMs, InvalidTtlError } from '@resilient-store/core/backend';

/**
 * Memcached reads an expiration of up to 30 days as seconds from now, and anything larger
 * as an absolute Unix time: a 31-day TTL sent as seconds would be a date in January 1970,
 * already past, and the item would expire at once.
 */
export const RELATIVE_EXPIRY_LIMIT_S = 30 * 24 * 60 * 60;

/**
 * The expiration memcached should get for `ttlMs`: 0 (never) for no TTL; otherwise the
 * TTL rounded up to whole seconds (memcached counts seconds, and rounding down could
 * make an entry expire before its time, or never for a TTL under a second), sent as
 * seconds up to 30 days and as an absolute Unix time (from this host's clock) above.
 */
export function expiration(ttlMs: unknown, nowMs = Date.now()): number {
  checkTtlMs(ttlMs);
  if (ttlMs === undefined) return 0;
  const seconds = Math.ceil(ttlMs / 1000);
  if (seconds <= RELATIVE_EXPIRY_LIMIT_S) return seconds;
  const absolute = Math.ceil(nowMs / 1000) + seconds;
  if (absolute > 0xffff_ffff) {
    throw new InvalidTtlError(`ttlMs ${ttlMs} ends after 2106, past memcached's 32-bit expiry`);
  }
  return absolute;
}
