/**
 * The operations being timed. Each answers whether it saw a hit (a set always "hits"), so
 * the runner can prove that every get really read a value: a miss is cheaper than a hit
 * and would flatter whichever side produced it.
 *
 * The raw baselines are what a user of ioredis writes for a JSON cache; the bare get
 * (no JSON.parse) is reported too, as the cost floor of one Redis round trip. The
 * backend variant is the same JSON cache on the store's Redis backend alone, which
 * writes its commands differently from ioredis's own methods (see the redis package's
 * command-writer.ts): the store against it is the price of the store's own work.
 */
import type { ResilientStore } from '@resilient-store/core';
import { type Backend, storedBytes } from '@resilient-store/core/backend';
import type { ClientPair } from './clients.js';
import { type Operation, TTL_MS } from './config.js';
import { type CachedValue, keysFor } from './fixtures.js';

/** One timed call: a key and (for sets) a value in, whether it hit out. */
export type OpFn = (key: string, value: CachedValue) => Promise<boolean>;

export type VariantName =
  | 'raw-bare'
  | 'raw-json'
  | 'backend'
  | 'store'
  | 'store+metrics'
  /** bench:recovery: the store with its journal switched off (the test-only hook). */
  | 'store-no-journal'
  /** bench:recovery: the store during an outage, its journal holding 10k keys. */
  | 'store-journal-10k';

/** `Name` lets other comparisons (e.g. the peer libraries) run through the same schedule. */
export interface Variant<Name extends string = VariantName> {
  readonly name: Name;
  /** What the variant does, as printed in the report. */
  readonly describes: string;
  readonly keys: readonly string[];
  readonly run: OpFn;
}

/** Raw and store values live under different keys (the store wraps its values in an envelope). */
export const RAW_KEYS = keysFor('bench:raw');
export const STORE_KEYS = keysFor('bench:rst');

export function variantsFor(operation: Operation, pair: ClientPair): Variant[] {
  const { raw, store, instrumented, backend } = pair;
  if (operation === 'get') {
    return [
      {
        name: 'raw-bare',
        describes: 'await redis.get(k)',
        keys: RAW_KEYS,
        run: async (key) => (await raw.get(key)) !== null,
      },
      {
        name: 'raw-json',
        describes: 'JSON.parse(await redis.get(k))',
        keys: RAW_KEYS,
        run: async (key) => {
          const text = await raw.get(key);
          const value: CachedValue | undefined = text === null ? undefined : JSON.parse(text);
          return value !== undefined;
        },
      },
      backendVariant('get', backend, 'Redis'),
      storeVariant('get', store),
      {
        name: 'store+metrics',
        describes: 'await store.get(k), the store instrumented with @resilient-store/prometheus',
        keys: STORE_KEYS,
        run: async (key) => (await instrumented.get<CachedValue>(key)) !== undefined,
      },
    ];
  }
  return [
    {
      name: 'raw-json',
      describes: `redis.set(k, JSON.stringify(v), 'PX', ${TTL_MS})`,
      keys: RAW_KEYS,
      run: async (key, value) => {
        await raw.set(key, JSON.stringify(value), 'PX', TTL_MS);
        return true;
      },
    },
    backendVariant('set', backend, 'Redis'),
    storeVariant('set', store),
    {
      name: 'store+metrics',
      describes: `store.set(k, v, { ttl: ${TTL_MS} }), the store instrumented`,
      keys: STORE_KEYS,
      run: async (key, value) => {
        await instrumented.set(key, value, { ttl: TTL_MS });
        return true;
      },
    },
  ];
}

/**
 * The JSON cache on one of the store's backends used alone, on the raw keyspace: the I/O
 * the store runs on, so the store against it is the price of the store's own work.
 */
export function backendVariant(operation: Operation, backend: Backend, kind: string): Variant {
  if (operation === 'get') {
    return {
      name: 'backend',
      describes: `JSON.parse(await backend.get(k)), on the store's ${kind} backend alone`,
      keys: RAW_KEYS,
      run: async (key) => {
        const bytes = await backend.get(key);
        const value: CachedValue | undefined =
          bytes == null ? undefined : JSON.parse(storedBytes(bytes).toString());
        return value !== undefined;
      },
    };
  }
  return {
    name: 'backend',
    describes: `backend.set(k, JSON.stringify(v), ${TTL_MS}), on the store's ${kind} backend alone`,
    keys: RAW_KEYS,
    run: async (key, value) => {
      await backend.set(key, JSON.stringify(value), TTL_MS);
      return true;
    },
  };
}

/** What an application calls: the store itself, on its own keyspace. */
export function storeVariant(operation: Operation, store: ResilientStore): Variant {
  if (operation === 'get') {
    return {
      name: 'store',
      describes: 'await store.get(k)',
      keys: STORE_KEYS,
      run: async (key) => (await store.get<CachedValue>(key)) !== undefined,
    };
  }
  return {
    name: 'store',
    describes: `store.set(k, v, { ttl: ${TTL_MS} })`,
    keys: STORE_KEYS,
    run: async (key, value) => {
      await store.set(key, value, { ttl: TTL_MS });
      return true;
    },
  };
}
