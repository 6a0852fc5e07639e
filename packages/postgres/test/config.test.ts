import { ConfigError, createStore } from '@resilient-store/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import * as postgresPackage from '../src/index.js';
import { fromConfig, postgresBackend } from '../src/index.js';
import { dropTable, SHARED_POSTGRES_URL, uniqueTable, untilAvailable } from './helpers.js';

const tables: string[] = [];
afterAll(async () => {
  for (const table of tables) await dropTable(SHARED_POSTGRES_URL, table);
});

function table(label: string): string {
  const name = uniqueTable(label);
  tables.push(name);
  return name;
}

/** The ConfigError `build` throws; a backend it builds by mistake is closed. */
function configErrorOf(build: () => { close(): Promise<void> }): ConfigError {
  let built: { close(): Promise<void> } | undefined;
  try {
    built = build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  void built.close();
  throw new Error('expected a ConfigError');
}

const HOSTILE_NAMES = [
  'cache"; DROP TABLE users; --',
  'cache; DROP TABLE users',
  'public.cache',
  'with space',
  '1starts_with_digit',
  'dash-ed',
  "quote'd",
  'nul\u0000byte',
  'ünïcode',
  '',
  'x'.repeat(64),
];

describe('options', () => {
  it('refuses a hostile or unusable table name with a ConfigError, before connecting', () => {
    for (const name of HOSTILE_NAMES) {
      const error = configErrorOf(() =>
        postgresBackend({ connectionString: SHARED_POSTGRES_URL }, { table: name }),
      );
      expect(error.field, JSON.stringify(name)).toBe('table');
    }
  });

  it('refuses a hostile schema name with a ConfigError', () => {
    for (const name of HOSTILE_NAMES) {
      const error = configErrorOf(() =>
        postgresBackend({ connectionString: SHARED_POSTGRES_URL }, { schema: name }),
      );
      expect(error.field, JSON.stringify(name)).toBe('schema');
    }
  });

  it('names the field of an unknown or mistyped option', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ statementTimeotMs: 100 }, 'statementTimeotMs'],
      [{ queryTimeoutMs: '500' }, 'queryTimeoutMs'],
      [{ queryTimeoutMs: 0 }, 'queryTimeoutMs'],
      [{ poolSize: 2.5 }, 'poolSize'],
      [{ unlogged: 'yes' }, 'unlogged'],
      [{ createTable: 1 }, 'createTable'],
      [{ maxValueBytes: 2 ** 40 }, 'maxValueBytes'],
      [{ cleanupIntervalMs: -1 }, 'cleanupIntervalMs'],
      [{ name: '' }, 'name'],
    ];
    for (const [options, field] of cases) {
      const error = configErrorOf(() =>
        postgresBackend({ connectionString: SHARED_POSTGRES_URL }, options),
      );
      expect(error.field, JSON.stringify(options)).toBe(field);
    }
  });

  it('wants exactly one way to connect', () => {
    const pool = new pg.Pool({ connectionString: SHARED_POSTGRES_URL });
    try {
      const both = { connectionString: SHARED_POSTGRES_URL, pool } as never;
      expect(configErrorOf(() => postgresBackend(both)).field).toBe('connection');
      expect(configErrorOf(() => postgresBackend({} as never)).field).toBe('connection');
      expect(configErrorOf(() => postgresBackend({ url: 'x' } as never)).field).toBe('url');
      expect(configErrorOf(() => postgresBackend({ connectionString: '' })).field).toBe(
        'connectionString',
      );
      expect(configErrorOf(() => postgresBackend({ pool: {} as pg.Pool })).field).toBe('pool');
    } finally {
      void pool.end();
    }
  });

  it('fromConfig names an unknown, mistyped or missing field', () => {
    expect(configErrorOf(() => fromConfig({ type: 'postgres' })).field).toBe('url');
    expect(configErrorOf(() => fromConfig({ type: 'redis', url: 'postgres://x' })).field).toBe(
      'type',
    );
    expect(configErrorOf(() => fromConfig({ url: SHARED_POSTGRES_URL, tabel: 'typo' })).field).toBe(
      'tabel',
    );
    expect(
      configErrorOf(() => fromConfig({ url: SHARED_POSTGRES_URL, statementTimeoutMs: '1s' })).field,
    ).toBe('statementTimeoutMs');
    expect(
      configErrorOf(() => fromConfig({ url: SHARED_POSTGRES_URL, table: 'x"; DROP TABLE y' }))
        .field,
    ).toBe('table');
  });
});

/**
 * createStore loads this package from source. Naming it in `packages` also lets the
 * 'postgres' type through while core still lists it as not available (see the README).
 */
const THIS_PACKAGE = {
  packages: { postgres: '@resilient-store/postgres' },
  importer: (specifier: string) =>
    specifier === '@resilient-store/postgres'
      ? Promise.resolve(postgresPackage)
      : import(specifier),
};

describe('fromConfig and createStore', () => {
  it('builds a working backend from plain data', async () => {
    const name = table('from_config');
    const backend = fromConfig({
      type: 'postgres',
      name: 'cache',
      url: SHARED_POSTGRES_URL,
      table: name,
      maxValueBytes: 1024,
      statementTimeoutMs: 300,
    });
    try {
      expect(backend.name).toBe('cache');
      expect(backend.capabilities).toMatchObject({
        shared: true,
        persistent: true,
        maxValueBytes: 1024,
      });
      await untilAvailable(backend.availability);
      await backend.set('from-config:k', 'v', 10_000);
      expect(String(await backend.get('from-config:k'))).toBe('v');
      const timeout = await backend.pool.query<{ statement_timeout: string }>(
        'SHOW statement_timeout',
      );
      expect(timeout.rows[0]?.statement_timeout).toBe('300ms');
    } finally {
      await backend.close();
    }
  });

  it("serves { type: 'postgres', url } through createStore", async () => {
    const name = table('create_store');
    const store = await createStore(
      {
        backends: [{ type: 'postgres', url: SHARED_POSTGRES_URL, table: name }],
        memoryFallback: false,
      },
      THIS_PACKAGE,
    );
    try {
      await store.set('user:1', { name: 'Ada' });
      expect(await store.get('user:1')).toEqual({ name: 'Ada' });
      expect(store.health()).toMatchObject({ status: 'ok', active: 'postgres' });
    } finally {
      await store.close();
    }
  });

  it('reports a misconfigured postgres entry of createStore by its place in the config', async () => {
    await expect(
      createStore(
        {
          backends: [
            { type: 'postgres', url: SHARED_POSTGRES_URL, table: 'bad name', required: true },
          ],
        },
        THIS_PACKAGE,
      ),
    ).rejects.toThrow(/backends\[0\].*table/);
  });
});
