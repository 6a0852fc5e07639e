import { ConfigError, createStore, silentLogger } from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memcachedPackage from '../src/index.js';
import { fromConfig, memcachedBackend } from '../src/index.js';
import { bytes, connected, text } from './helpers.js';

let server: MemcachedServer;

beforeAll(async () => {
  server = await startMemcached();
});

afterAll(async () => {
  await server?.stop();
});

function configErrorOf(build: () => unknown): ConfigError {
  try {
    const built = build() as { close?: () => Promise<void> } | undefined;
    void built?.close?.();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('fromConfig', () => {
  it('builds a working backend from plain data', async () => {
    const backend = fromConfig({
      type: 'memcached',
      name: 'sessions',
      servers: [server.url],
      operationTimeout: 500,
      maxValueBytes: 4096,
      generationCacheMs: 200,
    });
    try {
      expect(backend.name).toBe('sessions');
      expect(backend.capabilities).toMatchObject({
        shared: true,
        persistent: false,
        maxValueBytes: 4096,
      });
      await connected(backend);
      await backend.set('from-config:k', bytes('v'), 10_000);
      expect(text(await backend.get('from-config:k'))).toBe('v');
    } finally {
      await backend.close();
    }
  });

  it('accepts servers as one comma-separated string, with the default port', () => {
    const backend = memcachedBackend({ servers: '127.0.0.1:1, localhost' });
    try {
      expect(backend.connections.map(String)).toEqual(['127.0.0.1:1', 'localhost:11211']);
    } finally {
      void backend.close();
    }
  });

  it.each([
    [{ servers: [] }, 'servers'],
    [{}, 'servers'],
    [{ servers: 'host:99999' }, 'servers[0]'],
    [{ servers: ['user:pw@host:11211'] }, 'servers[0]'],
    [{ servers: [42] }, 'servers[0]'],
    [{ servers: 'h:1', operationTimeout: '300' }, 'operationTimeout'],
    [{ servers: 'h:1', operationTimeout: 0 }, 'operationTimeout'],
    [{ servers: 'h:1', connectTimeout: 1.5 }, 'connectTimeout'],
    [{ servers: 'h:1', retries: 11 }, 'retries'],
    [{ servers: 'h:1', maxValueBytes: 2 ** 31 }, 'maxValueBytes'],
    [{ servers: 'h:1', generationCacheMs: 120_000 }, 'generationCacheMs'],
    [{ servers: 'h:1', maxClearedPrefixes: 0 }, 'maxClearedPrefixes'],
    [{ servers: 'h:1', keepAliveDelay: -1 }, 'keepAliveDelay'],
    [{ servers: 'h:1', username: 'u' }, 'password'],
    [{ servers: 'h:1', password: 'p' }, 'username'],
    [{ servers: 'h:1', name: '' }, 'name'],
    [{ servers: 'h:1', timeout: 300 }, 'timeout'],
    [{ servers: 'h:1', type: 'redis' }, 'type'],
  ])('refuses %j naming %s', (config, field) => {
    expect(configErrorOf(() => fromConfig(config)).field).toBe(field);
  });

  it('refuses unknown options passed to memcachedBackend too', () => {
    const options = { servers: 'h:1', failover: true } as unknown as Parameters<
      typeof memcachedBackend
    >[0];
    expect(configErrorOf(() => memcachedBackend(options)).field).toBe('failover');
  });

  it("createStore builds { type: 'memcached' } from this package, and names its fields in errors", async () => {
    const importer = async (specifier: string) => {
      expect(specifier).toBe('@resilient-store/memcached');
      return memcachedPackage;
    };
    const store = await createStore(
      { backends: [{ type: 'memcached', servers: server.url }], logger: silentLogger },
      { importer },
    );
    try {
      await store.set('k', 'value');
      expect(await store.get('k')).toBe('value');
      expect(store.health()).toMatchObject({ active: 'memcached' });
    } finally {
      await store.close();
    }
    await expect(
      createStore(
        {
          backends: [
            // @ts-expect-error refused by the compiler too; this checks the run-time refusal
            { type: 'memcached', servers: server.url, operationTimeout: 'fast', required: true },
          ],
          logger: silentLogger,
        },
        { importer },
      ),
    ).rejects.toThrow(/operationTimeout/);
  });
});
