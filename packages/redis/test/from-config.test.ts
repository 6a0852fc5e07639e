import { ConfigError } from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromConfig, redisBackend } from '../src/index.js';
import { bytes, text, untilAvailable } from './helpers.js';

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
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
      type: 'redis',
      name: 'cache',
      url: server.url,
      commandTimeout: 500,
      enableAutoPipelining: false,
      maxValueBytes: 1024,
    });
    try {
      expect(backend.name).toBe('cache');
      expect(backend.capabilities.maxValueBytes).toBe(1024);
      expect(backend.client).toBeInstanceOf(Redis);
      expect((backend.client as Redis).options).toMatchObject({
        enableAutoPipelining: false,
        commandTimeout: 500,
      });
      await untilAvailable(backend.availability);
      await backend.set('from-config:k', bytes('v'), 10_000);
      expect(text(await backend.get('from-config:k'))).toBe('v');
    } finally {
      await backend.close();
    }
  });

  it('builds a cluster or sentinel backend with the fail-fast settings', async () => {
    const cluster = fromConfig({ cluster: ['127.0.0.1:1', { host: '127.0.0.1', port: 2 }] });
    const sentinel = fromConfig({ sentinels: [{ host: '127.0.0.1', port: 3 }], masterName: 'm' });
    try {
      expect(cluster.client).toBeInstanceOf(Cluster);
      expect(cluster.client.options.enableOfflineQueue).toBe(false);
      expect(sentinel.client).toBeInstanceOf(Redis);
      expect(sentinel.client.options).toMatchObject({
        name: 'm',
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
      });
    } finally {
      await Promise.all([cluster.close(), sentinel.close()]);
    }
  });

  it('passes TLS through: a rediss:// URL or the tls option', async () => {
    const fromUrl = fromConfig({ url: 'rediss://127.0.0.1:1' });
    const fromOption = fromConfig({
      cluster: ['127.0.0.1:1'],
      tls: { servername: 'cache.internal' },
      username: 'app',
      password: 'secret',
    });
    try {
      expect((fromUrl.client as Redis).options.tls).toBeTruthy();
      expect((fromOption.client as Cluster).options.redisOptions).toMatchObject({
        tls: { servername: 'cache.internal' },
        username: 'app',
        password: 'secret',
      });
    } finally {
      await Promise.all([fromUrl.close(), fromOption.close()]);
    }
  });

  it.each([
    [{ url: 42 }, 'url'],
    [{ url: 'http://localhost:6379' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{}, 'url'],
    [{ url: 'redis://localhost', cluster: ['localhost:7000'] }, 'url'],
    [{ url: 'redis://localhost', commandTimeout: '300' }, 'commandTimeout'],
    [{ url: 'redis://localhost', commandTimeout: 0 }, 'commandTimeout'],
    [{ url: 'redis://localhost', connectTimeout: 1.5 }, 'connectTimeout'],
    [{ url: 'redis://localhost', maxValueBytes: 1024 ** 3 }, 'maxValueBytes'],
    [{ url: 'redis://localhost', enableAutoPipelining: 'yes' }, 'enableAutoPipelining'],
    [{ url: 'redis://localhost', tls: 'on' }, 'tls'],
    [{ url: 'redis://localhost', db: -1 }, 'db'],
    [{ url: 'redis://:secret@localhost', password: 'other' }, 'password'],
    [{ url: 'redis://localhost', name: '' }, 'name'],
    [{ url: 'redis://localhost', comandTimeout: 300 }, 'comandTimeout'],
    [{ url: 'redis://localhost', type: 'postgres' }, 'type'],
    [{ cluster: [] }, 'cluster'],
    [{ cluster: [{ host: 'localhost', port: 70_000 }] }, 'cluster[0].port'],
    [
      { cluster: ['localhost:7000'], clusterOptions: { keyPrefix: 'x:' } },
      'clusterOptions.keyPrefix',
    ],
    [{ sentinels: [{ host: 'localhost', port: 26379 }] }, 'masterName'],
    [{ sentinels: [{ host: 'localhost' }], masterName: 'm' }, 'sentinels[0].port'],
  ])('rejects %j naming %s', (config, field) => {
    expect(configErrorOf(() => fromConfig(config)).field).toBe(field);
  });

  it('refuses a client with a keyPrefix', () => {
    const client = new Redis({ lazyConnect: true, keyPrefix: 'app:' });
    try {
      expect(configErrorOf(() => redisBackend({ client })).field).toBe('client');
    } finally {
      client.disconnect();
    }
  });
});
