import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  BackendConfig,
  BackendConfigOf,
  DeclaredBackendType,
} from '../src/config/backend-types.js';
import { createStore } from '../src/create-store.js';
import { ConfigError } from '../src/errors.js';
import type { StoreConfig } from '../src/options.js';

/*
 * Type-level tests: the `@ts-expect-error` lines below are checked by this package's
 * `typecheck` (tsc), which fails with TS2578 ("Unused '@ts-expect-error' directive")
 * should any of them start to compile. Each rejected configuration is also run, to show
 * that the compiler and `createStore`'s run-time validation refuse the same mistakes.
 *
 * Core's program imports no backend package, so only `memory` is declared here; the
 * redis package's config-types test covers a packaged type once declared.
 */

async function configErrorField(config: unknown): Promise<string> {
  const error = await createStore(config as StoreConfig).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).field;
}

describe('StoreConfig at compile time', () => {
  it('accepts what the store and the memory backend accept', async () => {
    const config = {
      namespace: 'app',
      defaultTtl: '5m',
      recovery: { maxJournalKeys: 1000, onOverflow: 'accept-stale' },
      backends: [
        { type: 'memory', name: 'small', maxEntries: 10, maxBytes: 4096, required: true },
        { type: 'memory', name: 'big', maxValueBytes: 1024, breaker: { timeout: 50 } },
      ],
    } satisfies StoreConfig;
    expectTypeOf(config.backends).toExtend<Array<BackendConfigOf<'memory'>>>();
    const store = await createStore(config);
    expect(store.health().backends.map((b) => b.name)).toEqual(['small', 'big']);
    await store.close();
  });

  it('declares memory only, until a backend package is part of the program', () => {
    expectTypeOf<DeclaredBackendType>().toEqualTypeOf<'memory'>();
    // The compiler's message names the line that declares a packaged type's options.
    expectTypeOf<
      Extract<BackendConfig, { type: 'redis' }>['declareWith']
    >().toEqualTypeOf<"import type {} from '@resilient-store/redis'">();
    expectTypeOf<
      Extract<BackendConfig, { type: 'postgres' }>['declareWith']
    >().toEqualTypeOf<"import type {} from '@resilient-store/postgres'">();
  });

  it('an undeclared packaged type does not compile, whatever its options', () => {
    const entries = [
      // @ts-expect-error redis's options are unknown without @resilient-store/redis
      { type: 'redis', url: 'redis://cache:6379' } satisfies BackendConfig,
      // @ts-expect-error even with no option at all
      { type: 'memcached' } satisfies BackendConfig,
    ];
    expect(entries).toHaveLength(2);
  });

  // Each line: a mistake the compiler refuses, and the field createStore's error names.
  // One line each, so that each directive sits right above its error.
  // biome-ignore format: one mistake per line
  const mistakes: Array<[config: unknown, field: string]> = [
    // @ts-expect-error a backend option of the wrong type
    [{ backends: [{ type: 'memory', maxEntries: '10' }] } satisfies StoreConfig, 'backends[0].maxEntries'],
    // @ts-expect-error a misspelt backend option
    [{ backends: [{ type: 'memory', maxEntrie: 10 }] } satisfies StoreConfig, 'backends[0].maxEntrie'],
    // @ts-expect-error an option of another backend type
    [{ backends: [{ type: 'memory', url: 'redis://x' }] } satisfies StoreConfig, 'backends[0].url'],
    // @ts-expect-error an unknown type
    [{ backends: [{ type: 'mongo' }] } satisfies StoreConfig, 'backends[0].type'],
    // @ts-expect-error the store's own fields of an entry are typed too
    [{ backends: [{ type: 'memory', required: 'yes' }] } satisfies StoreConfig, 'backends[0].required'],
    // @ts-expect-error a breaker setting of the wrong type
    [{ backends: [{ type: 'memory', breaker: { timeout: '1s' } }] } satisfies StoreConfig, 'backends[0].breaker.timeout'],
    // @ts-expect-error a misspelt store option
    [{ namepsace: 'app', backends: [] } satisfies StoreConfig, 'namepsace'],
    // @ts-expect-error a recovery option of the wrong value
    [{ recovery: { onOverflow: 'drop' }, backends: [] } satisfies StoreConfig, 'recovery.onOverflow'],
    // @ts-expect-error a listener for an event that does not exist
    [{ on: { failovr: () => {} }, backends: [] } satisfies StoreConfig, 'on.failovr'],
    // @ts-expect-error no backends
    [{ namespace: 'app' } satisfies StoreConfig, 'backends'],
  ];

  it.each(
    mistakes,
  )('refuses mistake #%# at run time too, naming the field', async (config, field) => {
    expect(await configErrorField(config)).toBe(field);
  });
});
