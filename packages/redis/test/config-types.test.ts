import {
  type BackendConfig,
  type BackendConfigOf,
  ConfigError,
  createStore,
  type DeclaredBackendType,
  type StoreConfig,
  silentLogger,
} from '@resilient-store/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { RedisBackendConfig } from '../src/index.js';
import * as redisPackage from '../src/index.js';

/*
 * Type-level tests of `{ type: 'redis', … }` entries, declared to the compiler by this
 * package's index (`declare module '@resilient-store/core'`). The `@ts-expect-error`
 * lines are checked by this package's `typecheck` (tsc), which fails with TS2578
 * should any of them start to compile. Each refused configuration is also run through
 * `createStore`, which refuses it at run time with a `ConfigError` naming the field;
 * none of them gets as far as opening a connection.
 */

/** createStore loads this package from source rather than from its build. */
const THIS_PACKAGE = {
  importer: (specifier: string) =>
    specifier === '@resilient-store/redis' ? Promise.resolve(redisPackage) : import(specifier),
};

async function configErrorField(config: unknown): Promise<string> {
  const error = await createStore(
    { logger: silentLogger, ...(config as StoreConfig) },
    THIS_PACKAGE,
  ).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).field;
}

describe("{ type: 'redis' } at compile time", () => {
  it('is declared by this package, with its plain-data options', () => {
    expectTypeOf<'redis'>().toExtend<DeclaredBackendType>();
    expectTypeOf<Extract<BackendConfig, { type: 'redis' }>>().toEqualTypeOf<
      BackendConfigOf<'redis'>
    >();
    expectTypeOf<BackendConfigOf<'redis'>>().toExtend<RedisBackendConfig>();
  });

  it('accepts each way of reaching Redis, with the store-owned fields', () => {
    const config = {
      backends: [
        { type: 'redis', name: 'single', url: 'redis://cache:6379', commandTimeout: 250 },
        { type: 'redis', name: 'tls', url: 'rediss://cache:6380', tls: { servername: 'cache' } },
        { type: 'redis', name: 'cluster', cluster: ['a:7000', { host: 'b', port: 7000 }] },
        {
          type: 'redis',
          name: 'sentinel',
          sentinels: [{ host: 's1', port: 26379 }],
          masterName: 'main',
          required: true,
          breaker: { timeout: 100 },
        },
      ],
    } satisfies StoreConfig;
    expect(config.backends).toHaveLength(4);
  });

  const unsetUrl: string | undefined = process.env.RS_TEST_NEVER_SET_REDIS_URL;

  // Each line: a mistake the compiler refuses, and the field createStore's error names.
  // One line each, so that each directive sits right above its error.
  // biome-ignore format: one mistake per line
  const mistakes: Array<[config: unknown, field: string]> = [
    // @ts-expect-error a URL that is not a string
    [{ backends: [{ type: 'redis', url: 1 }] } satisfies StoreConfig, 'backends[0].url'],
    // @ts-expect-error a misspelt option
    [{ backends: [{ type: 'redis', urll: 'redis://cache:6379' }] } satisfies StoreConfig, 'backends[0].urll'],
    // @ts-expect-error a duration given as text
    [{ backends: [{ type: 'redis', url: 'redis://cache:6379', commandTimeout: '300ms' }] } satisfies StoreConfig, 'backends[0].commandTimeout'],
    // @ts-expect-error an option no backend type has
    [{ backends: [{ type: 'redis', url: 'redis://cache:6379', ttl: '5m' }] } satisfies StoreConfig, 'backends[0].ttl'],
    // @ts-expect-error a client object cannot come from configuration data
    [{ backends: [{ type: 'redis', client: {} }] } satisfies StoreConfig, 'backends[0].client'],
    // @ts-expect-error no way to reach Redis
    [{ backends: [{ type: 'redis' }] } satisfies StoreConfig, 'backends[0].url'],
    // @ts-expect-error a URL that may be undefined (an unset environment variable)
    [{ backends: [{ type: 'redis', url: unsetUrl }] } satisfies StoreConfig, 'backends[0].url'],
    // @ts-expect-error two ways to reach Redis at once
    [{ backends: [{ type: 'redis', url: 'redis://a:6379', cluster: ['b:7000'] }] } satisfies StoreConfig, 'backends[0].url'],
    // @ts-expect-error sentinels without the master's name
    [{ backends: [{ type: 'redis', sentinels: [{ host: 's1', port: 26379 }] }] } satisfies StoreConfig, 'backends[0].masterName'],
    // @ts-expect-error a store-owned field of the wrong type
    [{ backends: [{ type: 'redis', url: 'redis://cache:6379', required: 'yes' }] } satisfies StoreConfig, 'backends[0].required'],
  ];

  it.each(
    mistakes,
  )('refuses mistake #%# at run time too, naming the field', async (config, field) => {
    expect(await configErrorField(config)).toBe(field);
  });
});
