/**
 * The Memcached comparison: a `ResilientStore` over `[memcached, memory]` against raw
 * memjs doing what a JSON cache on memjs does, with the settings the store's backend
 * gives memjs (timeouts, one attempt, no failover), and the store's backend alone.
 */
import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_DELAY_MS,
  DEFAULT_OPERATION_TIMEOUT_MS,
  type MemcachedBackend,
  memcachedBackend,
} from '@resilient-store/memcached';
import memjs from 'memjs';
import { type Operation, TTL_MS } from './config.js';
import type { CachedValue } from './fixtures.js';
import { backendVariant, RAW_KEYS, STORE_KEYS, storeVariant, type Variant } from './variants.js';

/** memjs counts expiry in whole seconds. */
const TTL_S = Math.ceil(TTL_MS / 1000);

/** The raw client's options: those the backend runs memjs with, in memjs's units (seconds). */
export const RAW_MEMJS_OPTIONS = {
  timeout: DEFAULT_OPERATION_TIMEOUT_MS / 1000,
  conntimeout: DEFAULT_CONNECT_TIMEOUT_MS / 1000,
  keepAlive: true,
  keepAliveDelay: DEFAULT_KEEP_ALIVE_DELAY_MS / 1000,
  retries: 1,
  failover: false,
  logger: { log: () => {} },
};

export interface MemcachedPair {
  readonly autoPipelining: false;
  readonly store: ResilientStore;
  readonly raw: memjs.Client;
  readonly backend: MemcachedBackend;
  readonly storeErrors: () => number;
  close(): Promise<void>;
}

export async function openMemcachedPair(url: string): Promise<MemcachedPair> {
  const inStore = memcachedBackend({ servers: url });
  const store = new ResilientStore({ backends: [inStore, memoryBackend()], logger: silentLogger });
  let errors = 0;
  store.on('error', ({ backend }) => {
    if (backend === inStore.name) errors++;
  });
  const alone = memcachedBackend({ servers: url, name: 'memcached-alone' });
  // A copy: memjs writes its own defaults into the options object it is given.
  const raw = memjs.Client.create(url, { ...RAW_MEMJS_OPTIONS });
  const close = async () => {
    raw.close();
    await Promise.allSettled([store.close(), alone.close()]);
  };
  await Promise.all([store.ready(10_000), connected(alone, 10_000)]);
  const health = store.health();
  if (health.active !== inStore.name || !alone.availability.isAvailable()) {
    await close();
    throw new Error(
      `memcached does not serve: store ${JSON.stringify(health)}, backend alone ${alone.availability.isAvailable() ? 'up' : 'down'}`,
    );
  }
  return { autoPipelining: false, store, raw, backend: alone, storeErrors: () => errors, close };
}

/** Resolves once `backend` is connected, or after `timeoutMs` (the caller checks which). */
function connected(backend: MemcachedBackend, timeoutMs: number): Promise<void> {
  if (backend.availability.isAvailable()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const unsubscribe = backend.availability.subscribe((available) => {
      if (available) done();
    });
    function done(): void {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

export function memcachedVariants(operation: Operation, pair: MemcachedPair): Variant[] {
  const { raw, store, backend } = pair;
  if (operation === 'get') {
    return [
      {
        name: 'raw-bare',
        describes: 'await memjs.get(k) (no parse)',
        keys: RAW_KEYS,
        run: async (key) => (await raw.get(key)).value !== null,
      },
      {
        name: 'raw-json',
        describes: 'JSON.parse((await memjs.get(k)).value)',
        keys: RAW_KEYS,
        run: async (key) => {
          const { value: bytes } = await raw.get(key);
          const value: CachedValue | undefined =
            bytes === null ? undefined : JSON.parse(bytes.toString());
          return value !== undefined;
        },
      },
      backendVariant('get', backend, 'Memcached'),
      storeVariant('get', store),
    ];
  }
  return [
    {
      name: 'raw-json',
      describes: `await memjs.set(k, JSON.stringify(v), { expires: ${TTL_S} })`,
      keys: RAW_KEYS,
      run: async (key, value) => {
        await raw.set(key, JSON.stringify(value), { expires: TTL_S });
        return true;
      },
    },
    backendVariant('set', backend, 'Memcached'),
    storeVariant('set', store),
  ];
}

/**
 * Writes every keyspace before measuring, each in its own format: JSON through raw memjs,
 * JSON through the backend alone (its keys are mapped, so it has a keyspace of its own on
 * the server), the store's envelope through the store. Reads one of each back.
 */
export async function populateMemcached(
  pair: MemcachedPair,
  values: readonly CachedValue[],
): Promise<void> {
  const at = (i: number) => values[i % values.length]!;
  await Promise.all(
    RAW_KEYS.map((key, i) => pair.raw.set(key, JSON.stringify(at(i)), { expires: TTL_S })),
  );
  await pair.backend.setMany(
    RAW_KEYS.map((key, i) => ({ key, value: JSON.stringify(at(i)), ttlMs: TTL_MS })),
  );
  await pair.store.setMany(STORE_KEYS.map((key, i) => ({ key, value: at(i), ttl: TTL_MS })));
  const [raw, alone, stored] = await Promise.all([
    pair.raw.get(RAW_KEYS[0]!),
    pair.backend.get(RAW_KEYS[0]!),
    pair.store.get<CachedValue>(STORE_KEYS[0]!),
  ]);
  if (raw.value === null || alone == null || stored?.id !== at(0).id) {
    throw new Error('populated keys do not read back');
  }
}
