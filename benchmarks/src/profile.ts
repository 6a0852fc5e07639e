/**
 * Profile mode: nothing but one store operation at 100 in flight (auto-pipelining on, the
 * default), so a CPU profile taken with `node --cpu-prof` shows the store's hot path and
 * not the comparison machinery. The same for the raw-JSON baseline, to compare the two
 * profiles (garbage collection, say) side by side.
 */
import { openPair } from './clients.js';
import type { Operation, ProfileVariant } from './config.js';
import { makeValues } from './fixtures.js';
import { populate } from './populate.js';
import { runSlice } from './slice.js';
import { variantsFor } from './variants.js';

const IN_FLIGHT = 100;

export async function runProfile(
  url: string,
  operation: Operation,
  seconds: number,
  variantName: ProfileVariant,
): Promise<void> {
  const pair = await openPair(url, true);
  try {
    const values = makeValues();
    await populate(pair, values);
    const variant = variantsFor(operation, pair).find((v) => v.name === variantName)!;
    // Warm up first, so the profile is of optimised code rather than of the JIT.
    await runSlice(variant, values, IN_FLIGHT, 1_000);
    console.log(`profile: ${variant.describes}, ${IN_FLIGHT} in flight, ${seconds} s`);
    const result = await runSlice(variant, values, IN_FLIGHT, seconds * 1000);
    const errors = pair.storeErrors();
    console.log(
      `profile: ${Math.round(result.opsPerSec).toLocaleString('en-US')} ops/s, ` +
        `${operation === 'get' ? `${result.misses} misses, ` : ''}${errors} failed Redis attempts`,
    );
  } finally {
    await pair.close();
  }
}
