/**
 * The PostgreSQL comparison: a `ResilientStore` over `[postgres, memory]` against the
 * hand-written pg queries a JSON cache on that same table would run, with the same pool
 * size and prepared statements on both sides, and the store's backend alone.
 */
import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import {
  DEFAULT_POOL_SIZE,
  DEFAULT_TABLE,
  type PostgresBackend,
  postgresBackend,
} from '@resilient-store/postgres';
import pg from 'pg';
import { type Operation, TTL_MS } from './config.js';
import type { CachedValue } from './fixtures.js';
import { backendVariant, RAW_KEYS, STORE_KEYS, storeVariant, type Variant } from './variants.js';

const TABLE = `"public"."${DEFAULT_TABLE}"`;
const LIVE = '(expires_at IS NULL OR expires_at > now())';

/** What a careful hand-written cache on pg sends: named (prepared) statements, bytea parameters. */
const RAW_GET = {
  name: 'bench_raw_get',
  text: `SELECT value FROM ${TABLE} WHERE key = $1 AND ${LIVE}`,
};
const RAW_SET = {
  name: 'bench_raw_set',
  text:
    `INSERT INTO ${TABLE} (key, value, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond') ` +
    'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at',
};

export interface PostgresPair {
  readonly autoPipelining: false;
  readonly store: ResilientStore;
  readonly raw: pg.Pool;
  readonly backend: PostgresBackend;
  readonly storeErrors: () => number;
  close(): Promise<void>;
}

export async function openPostgresPair(url: string): Promise<PostgresPair> {
  const inStore = postgresBackend({ connectionString: url });
  const store = new ResilientStore({ backends: [inStore, memoryBackend()], logger: silentLogger });
  let errors = 0;
  store.on('error', ({ backend }) => {
    if (backend === inStore.name) errors++;
  });
  const alone = postgresBackend({ connectionString: url }, { name: 'postgres-alone' });
  // Same pool size as the backend's; pg's defaults otherwise (no timeouts: the cheapest path).
  const raw = new pg.Pool({ connectionString: url, max: DEFAULT_POOL_SIZE });
  await store.ready(10_000);
  if (store.health().active !== inStore.name) {
    await Promise.all([store.close(), alone.close(), raw.end()]);
    throw new Error(`the store does not serve from postgres: ${JSON.stringify(store.health())}`);
  }
  return {
    autoPipelining: false,
    store,
    raw,
    backend: alone,
    storeErrors: () => errors,
    async close() {
      await Promise.allSettled([store.close(), alone.close(), raw.end()]);
    },
  };
}

export function postgresVariants(operation: Operation, pair: PostgresPair): Variant[] {
  const { raw, store, backend } = pair;
  if (operation === 'get') {
    return [
      {
        name: 'raw-bare',
        describes: 'await pool.query(prepared SELECT, [key]) (no parse)',
        keys: RAW_KEYS,
        run: async (key) =>
          (await raw.query({ ...RAW_GET, values: [Buffer.from(key)] })).rows.length > 0,
      },
      {
        name: 'raw-json',
        describes: 'JSON.parse of await pool.query(prepared SELECT, [key])',
        keys: RAW_KEYS,
        run: async (key) => {
          const { rows } = await raw.query<{ value: Buffer }>({
            ...RAW_GET,
            values: [Buffer.from(key)],
          });
          const value: CachedValue | undefined =
            rows[0] === undefined ? undefined : JSON.parse(rows[0].value.toString());
          return value !== undefined;
        },
      },
      backendVariant('get', backend, 'PostgreSQL'),
      storeVariant('get', store),
    ];
  }
  return [
    {
      name: 'raw-json',
      describes: `await pool.query(prepared upsert, [key, JSON bytes, ${TTL_MS}])`,
      keys: RAW_KEYS,
      run: async (key, value) => {
        await raw.query({
          ...RAW_SET,
          values: [Buffer.from(key), Buffer.from(JSON.stringify(value)), TTL_MS],
        });
        return true;
      },
    },
    backendVariant('set', backend, 'PostgreSQL'),
    storeVariant('set', store),
  ];
}

/** Writes both keyspaces before measuring, each in its own format, and reads one of each back. */
export async function populatePostgres(
  pair: PostgresPair,
  values: readonly CachedValue[],
): Promise<void> {
  const at = (i: number) => values[i % values.length]!;
  await pair.backend.setMany(
    RAW_KEYS.map((key, i) => ({ key, value: JSON.stringify(at(i)), ttlMs: TTL_MS })),
  );
  await pair.store.setMany(STORE_KEYS.map((key, i) => ({ key, value: at(i), ttl: TTL_MS })));
  const raw = await pair.raw.query({ ...RAW_GET, values: [Buffer.from(RAW_KEYS[0]!)] });
  const stored = await pair.store.get<CachedValue>(STORE_KEYS[0]!);
  if (raw.rows.length !== 1 || stored?.id !== at(0).id) {
    throw new Error('populated keys do not read back');
  }
}
