import { afterEach, describe, expect, it } from 'vitest';
import {
  FaultInjectionUnsupportedError,
  memcachedGet,
  memcachedSet,
  pgSimpleQuery,
  redisCommand,
  startMemcached,
  startPostgres,
  startRedis,
} from '../../src/servers/index.js';

const VARS = [
  'RS_TEST_REDIS_URL',
  'RS_TEST_MEMCACHED_URL',
  'RS_TEST_POSTGRES_URL',
  'RS_TEST_SERVERS',
];

afterEach(() => {
  for (const name of VARS) delete process.env[name];
});

async function expectFaultsRefused(
  handle: {
    kill(): Promise<void>;
    pause(): Promise<void>;
    resume(): Promise<void>;
    restart(): Promise<void>;
  },
  envVar: string,
): Promise<void> {
  for (const operation of ['kill', 'pause', 'resume', 'restart'] as const) {
    const error = await handle[operation]().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FaultInjectionUnsupportedError);
    expect(error).toMatchObject({ code: 'ERR_RS_TEST_FAULT_UNSUPPORTED', operation });
    expect((error as Error).message).toContain(envVar);
  }
}

describe('servers brought through RS_TEST_*_URL', () => {
  it('redis: used as-is, fault methods refused, stop() leaves it running', async () => {
    const real = await startRedis({ password: 'pw' });
    process.env.RS_TEST_REDIS_URL = real.url;
    const adopted = await startRedis();
    expect(adopted).toMatchObject({
      source: 'env',
      host: '127.0.0.1',
      port: real.port,
      url: real.url,
    });
    expect(adopted.pid).toBeUndefined();
    expect(adopted.password).toBe('pw');
    await expectFaultsRefused(adopted, 'RS_TEST_REDIS_URL');
    await adopted.stop();
    expect(await redisCommand(real.host, real.port, ['PING'], { password: 'pw' })).toBe('PONG');
  });

  it('RS_TEST_SERVERS=local and the mode option take precedence over the URL', async () => {
    process.env.RS_TEST_REDIS_URL = 'redis://127.0.0.1:1';
    const fromOption = await startRedis({ mode: 'local' });
    expect(fromOption.source).toBe('local');
    process.env.RS_TEST_SERVERS = 'local';
    const fromEnv = await startRedis();
    expect(fromEnv.source).toBe('local');
    expect(await redisCommand(fromEnv.host, fromEnv.port, ['PING'])).toBe('PONG');
  });

  it('an unknown RS_TEST_SERVERS value is a configuration error', async () => {
    process.env.RS_TEST_SERVERS = 'docker';
    await expect(startRedis()).rejects.toMatchObject({
      code: 'ERR_RS_CONFIG',
      field: 'RS_TEST_SERVERS',
    });
  });

  it('memcached: host:port and memcached:// forms, url normalised to host:port', async () => {
    const real = await startMemcached();
    await memcachedSet(real.host, real.port, 'k', 'v');
    for (const value of [`127.0.0.1:${real.port}`, `memcached://127.0.0.1:${real.port}`]) {
      process.env.RS_TEST_MEMCACHED_URL = value;
      const adopted = await startMemcached();
      expect(adopted).toMatchObject({
        source: 'env',
        host: '127.0.0.1',
        port: real.port,
        url: `127.0.0.1:${real.port}`,
      });
      expect((await memcachedGet(adopted.host, adopted.port, 'k'))?.toString()).toBe('v');
      await expectFaultsRefused(adopted, 'RS_TEST_MEMCACHED_URL');
    }
  });

  it('postgres: user and database come from the URL', async () => {
    const real = await startPostgres({ database: 'brought' });
    process.env.RS_TEST_POSTGRES_URL = real.url;
    const adopted = await startPostgres();
    expect(adopted).toMatchObject({
      source: 'env',
      port: real.port,
      user: 'postgres',
      database: 'brought',
    });
    const { rows } = await pgSimpleQuery(
      adopted.host,
      adopted.port,
      adopted,
      'SELECT current_database()',
    );
    expect(rows).toEqual([['brought']]);
    await expectFaultsRefused(adopted, 'RS_TEST_POSTGRES_URL');
  });
});
