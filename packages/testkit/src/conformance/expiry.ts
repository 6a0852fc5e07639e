import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, isMiss, pollUntil, sameBytes, uniquePrefix } from './fixtures.js';

/** Slack for the round trips and scheduling around a TTL, on top of the resolution. */
const EXPIRY_SLACK_MS = 2000;

/**
 * TTLs are milliseconds, expire on time, and a later set replaces an earlier TTL. A
 * backend that counts coarser steps (`ttlResolutionMs`, e.g. Memcached's whole seconds)
 * may end an entry up to one step early or late, never more, and never keep forever an
 * entry whose TTL is shorter than one step.
 */
export function expiryTests({ backend, options }: ConformanceContext): void {
  const resolution = options.ttlResolutionMs;
  // At least two whole steps, so a backend counting steps cannot round the TTL to ~0.
  const ttlMs = Math.ceil(Math.max(1000, 2 * resolution) / resolution) * resolution;
  const pollMs = Math.max(25, Math.min(100, resolution / 10));

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
      const deadline = ttlMs + resolution + EXPIRY_SLACK_MS;
      expect(await pollUntil(() => gone(keys.short), deadline, pollMs), 'short TTL expired').toBe(
        true,
      );
      // A backend that rounds TTLs down or reads them as something other than ms
      // drops the entry before its time.
      expect(Date.now() - started).toBeGreaterThanOrEqual(ttlMs - resolution);

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
    ttlMs + resolution + EXPIRY_SLACK_MS + 10_000,
  );

  // Half a step (or 1 ms): a backend that rounds it down to 0 may store it with no expiry.
  const belowOneStepMs = Math.max(1, Math.floor(resolution / 2));
  it(
    `expires an entry whose TTL (${belowOneStepMs} ms) is shorter than one step of ${resolution} ms`,
    async () => {
      const key = `${uniquePrefix()}below-resolution`;
      await backend().set(key, bytesOf('brief'), belowOneStepMs);
      const deadline = belowOneStepMs + resolution + EXPIRY_SLACK_MS;
      expect(
        await pollUntil(async () => isMiss(await backend().get(key)), deadline, pollMs),
        'entry with a sub-step TTL expired',
      ).toBe(true);
    },
    belowOneStepMs + resolution + EXPIRY_SLACK_MS + 10_000,
  );
}
