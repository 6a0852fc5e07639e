import { describe, expect, it } from 'vitest';
import { storeConfigFromEnv, storeConfigToEnv } from '../src/config-from-env.js';
import { createStore } from '../src/create-store.js';
import { ConfigError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { plainConfig } from './plain-config.js';

/** The `ConfigError` that `fn` throws (failing the test when it throws nothing else). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('storeConfigFromEnv', () => {
  it('reads the chain, store options and backend options', () => {
    const config = storeConfigFromEnv({
      RESILIENT_STORE_BACKENDS: 'redis, memory',
      RESILIENT_STORE_NAMESPACE: 'recs',
      RESILIENT_STORE_DEFAULT_TTL: '5m',
      RESILIENT_STORE_JITTER: '0.1',
      RESILIENT_STORE_OPERATION_TIMEOUT: '1.5s',
      RESILIENT_STORE_ON_ALL_FAILED: 'swallow',
      RESILIENT_STORE_MEMORY_FALLBACK: 'false',
      RESILIENT_STORE_REDIS_URL: 'redis://cache:6379/2',
      RESILIENT_STORE_REDIS_REQUIRED: 'true',
      RESILIENT_STORE_REDIS_COMMAND_TIMEOUT: '300ms',
      RESILIENT_STORE_REDIS_CONNECT_TIMEOUT: '1000',
      RESILIENT_STORE_MEMORY_MAX_ENTRIES: '5000',
      // Not under the prefix: none of the store's business.
      REDIS_URL: 'redis://elsewhere:6379',
      PATH: '/usr/bin',
    });
    expect(config).toEqual({
      namespace: 'recs',
      defaultTtl: '5m',
      jitter: 0.1,
      operationTimeout: 1500,
      onAllFailed: 'swallow',
      memoryFallback: false,
      backends: [
        {
          type: 'redis',
          url: 'redis://cache:6379/2',
          required: true,
          commandTimeout: 300,
          connectTimeout: 1000,
        },
        { type: 'memory', maxEntries: 5000 },
      ],
    });
  });

  it('names backends given as name:type, and reads their options under that name', () => {
    const config = storeConfigFromEnv({
      RESILIENT_STORE_BACKENDS: 'main-cache:redis,spare:redis',
      RESILIENT_STORE_MAIN_CACHE_URL: 'redis://a:6379',
      RESILIENT_STORE_SPARE_CLUSTER: 'b:7000, c:7000',
    });
    expect(config.backends).toEqual([
      { type: 'redis', name: 'main-cache', url: 'redis://a:6379' },
      { type: 'redis', name: 'spare', cluster: ['b:7000', 'c:7000'] },
    ]);
  });

  it('reads the recovery options', () => {
    const config = storeConfigFromEnv({
      RESILIENT_STORE_BACKENDS: 'redis',
      RESILIENT_STORE_RECOVERY_MAX_JOURNAL_KEYS: '5000',
      RESILIENT_STORE_RECOVERY_ON_OVERFLOW: 'accept-stale',
    });
    expect(config.recovery).toEqual({ maxJournalKeys: 5000, onOverflow: 'accept-stale' });
    expect(
      storeConfigFromEnv({
        RESILIENT_STORE_BACKENDS: 'redis',
        RESILIENT_STORE_RECOVERY_ON_OVERFLOW: 'clear',
      }).recovery,
    ).toEqual({ onOverflow: 'clear' });
  });

  it("reads memcached's servers", () => {
    const config = storeConfigFromEnv({
      RESILIENT_STORE_BACKENDS: 'memcached',
      RESILIENT_STORE_MEMCACHED_SERVERS: 'a:11211,b:11211',
    });
    expect(config.backends).toEqual([{ type: 'memcached', servers: 'a:11211,b:11211' }]);
  });

  it('reads another prefix, and nothing outside it', () => {
    const config = storeConfigFromEnv(
      { APP_CACHE_BACKENDS: 'memory', RESILIENT_STORE_NAMESPACE: 'ignored' },
      { prefix: 'APP_CACHE_' },
    );
    expect(config).toEqual({ backends: [{ type: 'memory' }] });
  });

  it.each([
    ['a typo in a backend option', { RESILIENT_STORE_REDIS_URLL: 'redis://a' }, 'REDIS_URLL'],
    ['a typo in a store option', { RESILIENT_STORE_NAMESPCE: 'x' }, 'NAMESPCE'],
    [
      'an option of a backend not in the chain',
      { RESILIENT_STORE_POSTGRES_URL: 'postgres://db' },
      'POSTGRES_URL',
    ],
    ['an option the type does not have', { RESILIENT_STORE_MEMORY_URL: 'x' }, 'MEMORY_URL'],
    ['an empty value', { RESILIENT_STORE_REDIS_URL: '' }, 'REDIS_URL'],
    ['a boolean that is not one', { RESILIENT_STORE_MEMORY_FALLBACK: 'maybe' }, 'MEMORY_FALLBACK'],
    [
      'a duration that is not one',
      { RESILIENT_STORE_OPERATION_TIMEOUT: 'soon' },
      'OPERATION_TIMEOUT',
    ],
    ['a TTL that is not one', { RESILIENT_STORE_DEFAULT_TTL: '5 minutes' }, 'DEFAULT_TTL'],
    [
      'a count that is not whole',
      { RESILIENT_STORE_MEMORY_MAX_ENTRIES: '1e3' },
      'MEMORY_MAX_ENTRIES',
    ],
    ['a jitter out of range', { RESILIENT_STORE_JITTER: '2' }, 'JITTER'],
    ['an unknown all-failed policy', { RESILIENT_STORE_ON_ALL_FAILED: 'ignore' }, 'ON_ALL_FAILED'],
    ['an invalid namespace', { RESILIENT_STORE_NAMESPACE: ' ' }, 'NAMESPACE'],
    [
      'an unknown overflow policy',
      { RESILIENT_STORE_RECOVERY_ON_OVERFLOW: 'drop' },
      'RECOVERY_ON_OVERFLOW',
    ],
    [
      'a journal bound that is not whole',
      { RESILIENT_STORE_RECOVERY_MAX_JOURNAL_KEYS: '10k' },
      'RECOVERY_MAX_JOURNAL_KEYS',
    ],
    [
      'a journal bound of zero',
      { RESILIENT_STORE_RECOVERY_MAX_JOURNAL_KEYS: '0' },
      'RECOVERY_MAX_JOURNAL_KEYS',
    ],
    [
      'a typo in a recovery option',
      { RESILIENT_STORE_RECOVERY_JOURNAL: 'off' },
      'RECOVERY_JOURNAL',
    ],
  ] as const)('refuses %s with a ConfigError naming the variable', (_, variables, suffix) => {
    const error = configError(() =>
      storeConfigFromEnv({ RESILIENT_STORE_BACKENDS: 'redis,memory', ...variables }),
    );
    expect(error.field).toBe(`RESILIENT_STORE_${suffix}`);
    expect(error.message).toMatch(new RegExp(`^RESILIENT_STORE_${suffix}: `));
  });

  it.each([
    ['missing', {}],
    ['empty', { RESILIENT_STORE_BACKENDS: ' ' }],
    ['naming an unknown type', { RESILIENT_STORE_BACKENDS: 'redis,mongo' }],
    ['with a malformed entry', { RESILIENT_STORE_BACKENDS: 'a:b:redis' }],
    ['naming one backend twice', { RESILIENT_STORE_BACKENDS: 'redis,redis' }],
    [
      'with names that read the same variables',
      { RESILIENT_STORE_BACKENDS: 'a-b:redis,a_b:redis' },
    ],
  ])('refuses a chain %s, naming RESILIENT_STORE_BACKENDS', (_, variables) => {
    const error = configError(() => storeConfigFromEnv(variables));
    expect(error.field).toBe('RESILIENT_STORE_BACKENDS');
  });

  it('refuses a prefix that cannot start a variable name', () => {
    expect(configError(() => storeConfigFromEnv({}, { prefix: '' })).field).toBe('prefix');
    expect(configError(() => storeConfigFromEnv({}, { prefix: 'my cache' })).field).toBe('prefix');
  });

  it('gives a configuration createStore builds and serves from', async () => {
    const store = await createStore({
      ...storeConfigFromEnv({
        RESILIENT_STORE_BACKENDS: 'memory',
        RESILIENT_STORE_NAMESPACE: 'env',
        RESILIENT_STORE_DEFAULT_TTL: '1m',
        RESILIENT_STORE_MEMORY_MAX_ENTRIES: '100',
        RESILIENT_STORE_RECOVERY_MAX_JOURNAL_KEYS: '1000',
        RESILIENT_STORE_RECOVERY_ON_OVERFLOW: 'accept-stale',
      }),
      logger: silentLogger,
    });
    try {
      await store.set('greeting', { hello: 'env' });
      expect(await store.get('greeting')).toEqual({ hello: 'env' });
      expect(store.health().backends.map((backend) => backend.name)).toEqual(['memory']);
    } finally {
      await store.close();
    }
  });
});

describe('storeConfigToEnv', () => {
  const config = plainConfig({
    namespace: 'recs',
    defaultTtl: '5m',
    jitter: 0.25,
    operationTimeout: 800,
    onAllFailed: 'throw',
    memoryFallback: true,
    recovery: { maxJournalKeys: 20_000, onOverflow: 'accept-stale' },
    backends: [
      { type: 'redis', name: 'main', url: 'rediss://app:secret@cache:6380/1', commandTimeout: 250 },
      { type: 'redis', cluster: ['10.0.0.1:7000', '10.0.0.2:7000'], required: false },
      { type: 'memory', maxEntries: 10, maxBytes: 4096 },
    ],
  });

  it('round-trips a configuration through the environment', () => {
    const env = storeConfigToEnv(config);
    expect(env).toEqual({
      RESILIENT_STORE_NAMESPACE: 'recs',
      RESILIENT_STORE_DEFAULT_TTL: '5m',
      RESILIENT_STORE_JITTER: '0.25',
      RESILIENT_STORE_OPERATION_TIMEOUT: '800',
      RESILIENT_STORE_ON_ALL_FAILED: 'throw',
      RESILIENT_STORE_MEMORY_FALLBACK: 'true',
      RESILIENT_STORE_RECOVERY_MAX_JOURNAL_KEYS: '20000',
      RESILIENT_STORE_RECOVERY_ON_OVERFLOW: 'accept-stale',
      RESILIENT_STORE_BACKENDS: 'main:redis,redis,memory',
      RESILIENT_STORE_MAIN_URL: 'rediss://app:secret@cache:6380/1',
      RESILIENT_STORE_MAIN_COMMAND_TIMEOUT: '250',
      RESILIENT_STORE_REDIS_CLUSTER: '10.0.0.1:7000,10.0.0.2:7000',
      RESILIENT_STORE_REDIS_REQUIRED: 'false',
      RESILIENT_STORE_MEMORY_MAX_ENTRIES: '10',
      RESILIENT_STORE_MEMORY_MAX_BYTES: '4096',
    });
    expect(storeConfigFromEnv(env)).toEqual(config);
  });

  it('round-trips an environment through a configuration, under any prefix', () => {
    const env = {
      SVC_BACKENDS: 'redis,memcached,memory',
      SVC_REDIS_URL: 'redis://cache:6379',
      SVC_MEMCACHED_SERVERS: 'm1:11211,m2:11211',
      SVC_RECOVERY_ON_OVERFLOW: 'clear',
      SVC_DEFAULT_TTL: '30000',
      SVC_MEMORY_MAX_BYTES: '1048576',
    };
    expect(
      storeConfigToEnv(storeConfigFromEnv(env, { prefix: 'SVC_' }), { prefix: 'SVC_' }),
    ).toEqual(env);
  });

  it('refuses what the environment cannot carry, naming the field', () => {
    expect(configError(() => storeConfigToEnv({ ...config, logger: silentLogger })).field).toBe(
      'logger',
    );
    // The test-only switch of recovery has no variable.
    const withoutJournal = { ...config, recovery: { journal: false } };
    expect(configError(() => storeConfigToEnv(withoutJournal)).field).toBe('recovery.journal');
    const withObjectNode = plainConfig({
      backends: [{ type: 'redis', cluster: [{ host: 'a', port: 7000 }] }],
    });
    expect(configError(() => storeConfigToEnv(withObjectNode)).field).toBe('backends[0].cluster');
    const withOtherOption = plainConfig({ backends: [{ type: 'redis', keyPrefix: 'x' }] });
    expect(configError(() => storeConfigToEnv(withOtherOption)).field).toBe(
      'backends[0].keyPrefix',
    );
  });
});
