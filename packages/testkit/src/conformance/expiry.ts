import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, isMiss, pollUntil, sameBytes, uniquePrefix } from './fixtures.js';

/** Slack for the round trips and scheduling around a TTL, on top of the granularity. */
const EXPIRY_SLACK_MS = 2000;

/** TTLs are milliseconds, expire on time, and a later set replaces an earlier TTL. */
export function expiryTests({ backend, options }: ConformanceContext): void {
  const granularity = options.ttlGranularityMs;
  // Two granularity steps, so a second-granular backend cannot round the TTL to ~0.
  const ttlMs = Math.max(1000, 2 * granularity);
  const pollMs = Math.max(25, Math.min(100, granularity / 10));

  it(
    'expires entries after their TTL; no TTL and a replaced TTL keep entries',
    async () => {
      const p = uniquePrefix();
      const keys = {
        short: `${p}short`,
        forever: `${p}forever`,
        ttlRemoved: `${p}ttl-removed`,
        ttlExtended: `${p}ttl-extended`,
        ttlAdded: `${p}ttl-added`,
        bulkShort: `${p}bulk-short`,
      };
      const started = Date.now();
      await backend().set(keys.short, bytesOf('short'), ttlMs);
      await backend().set(keys.forever, bytesOf('forever'), undefined);
      await backend().set(keys.ttlRemoved, bytesOf('old'), ttlMs);
      await backend().set(keys.ttlRemoved, bytesOf('new'), undefined);
      await backend().set(keys.ttlExtended, bytesOf('old'), ttlMs);
      await backend().set(keys.ttlExtended, bytesOf('new'), 10 * 60_000);
      await backend().set(keys.ttlAdded, bytesOf('old'), undefined);
      await backend().set(keys.ttlAdded, bytesOf('new'), ttlMs);
      await backend().setMany([{ key: keys.bulkShort, value: bytesOf('bulk'), ttlMs }]);

      expect(sameBytes(await backend().get(keys.short), bytesOf('short'))).toBe(true);
      expect(sameBytes(await backend().get(keys.bulkShort), bytesOf('bulk'))).toBe(true);

      const gone = async (key: string) => isMiss(await backend().get(key));
      const deadline = ttlMs + granularity + EXPIRY_SLACK_MS;
      expect(await pollUntil(() => gone(keys.short), deadline, pollMs), 'short TTL expired').toBe(
        true,
      );
      // A backend that rounds TTLs down or reads them as something other than ms
      // drops the entry before its time.
      expect(Date.now() - started).toBeGreaterThanOrEqual(ttlMs - granularity);

      const remaining = deadline - (Date.now() - started);
      expect(await pollUntil(() => gone(keys.bulkShort), remaining, pollMs), 'setMany TTL').toBe(
        true,
      );
      expect(
        await pollUntil(() => gone(keys.ttlAdded), remaining, pollMs),
        'TTL added by set',
      ).toBe(true);
      expect(sameBytes(await backend().get(keys.forever), bytesOf('forever'))).toBe(true);
      expect(sameBytes(await backend().get(keys.ttlRemoved), bytesOf('new'))).toBe(true);
      expect(sameBytes(await backend().get(keys.ttlExtended), bytesOf('new'))).toBe(true);
      await backend().deleteMany(Object.values(keys));
    },
    ttlMs + granularity + EXPIRY_SLACK_MS + 10_000,
  );
}
