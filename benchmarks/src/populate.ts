/**
 * Writes every key of both keyspaces before anything is measured, each side in its own
 * format: JSON text for the raw client, the store's envelope for the store.
 */
import type { ClientPair } from './clients.js';
import { TTL_MS } from './config.js';
import type { CachedValue } from './fixtures.js';
import { RAW_KEYS, STORE_KEYS } from './variants.js';

export async function populate(pair: ClientPair, values: readonly CachedValue[]): Promise<void> {
  const at = (i: number) => values[i % values.length]!;
  const pipeline = pair.raw.pipeline();
  RAW_KEYS.forEach((key, i) => {
    pipeline.set(key, JSON.stringify(at(i)), 'PX', TTL_MS);
  });
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null);
  if (results === null || failed) throw failed?.[0] ?? new Error('populating redis failed');
  await pair.store.setMany(STORE_KEYS.map((key, i) => ({ key, value: at(i), ttl: TTL_MS })));
  // Read one key of each side back: a benchmark of misses would measure nothing useful.
  const [raw, stored] = await Promise.all([
    pair.raw.get(RAW_KEYS[0]!),
    pair.store.get<CachedValue>(STORE_KEYS[0]!),
  ]);
  if (raw === null || stored?.id !== at(0).id) throw new Error('populated keys do not read back');
}
