import { randomBytes } from 'node:crypto';
import {
  memoryBackend,
  ResilientStore,
  silentLogger,
  ValueTooLargeError,
} from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import memjs from 'memjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_VALUE_BYTES, type MemcachedBackend, memcachedBackend } from '../src/index.js';
import { connected, uniquePrefix } from './helpers.js';

let server: MemcachedServer;
let bigItems: MemcachedServer;
let backend: MemcachedBackend;

beforeAll(async () => {
  [server, bigItems] = await Promise.all([
    startMemcached(),
    startMemcached({ args: ['-I', '2m'] }),
  ]);
  backend = await connected(memcachedBackend({ servers: server.url }));
});

afterAll(async () => {
  await backend?.close();
  await Promise.all([server?.stop(), bigItems?.stop()]);
});

/** memcached's count of SET commands: proves a refused value was never sent. */
async function setCommands(url: string): Promise<number> {
  const raw = memjs.Client.create(url, { logger: { log: () => {} } });
  try {
    const stats = await new Promise<Record<string, string>>((resolve, reject) => {
      raw.stats((error, _server, values) => (error ? reject(error) : resolve(values ?? {})));
    });
    return Number(stats.cmd_set);
  } finally {
    raw.close();
  }
}

describe('values at and over the item limit', () => {
  it('stores a value of exactly maxValueBytes under the default 1 MiB item limit', async () => {
    const key = `${uniquePrefix('at-limit')}${'k'.repeat(240)}`;
    const value = randomBytes(DEFAULT_MAX_VALUE_BYTES);
    await backend.set(key, value, 60_000);
    expect(Buffer.compare((await backend.get(key)) as Buffer, value)).toBe(0);
  });

  it('refuses one byte more before sending anything, with ValueTooLargeError', async () => {
    const key = `${uniquePrefix('over')}k`;
    const before = await setCommands(server.url);
    const over = new Uint8Array(DEFAULT_MAX_VALUE_BYTES + 1);
    await expect(backend.set(key, over, undefined)).rejects.toBeInstanceOf(ValueTooLargeError);
    await expect(
      backend.setMany([
        { key: `${key}:small`, value: 'small', ttlMs: undefined },
        { key, value: over, ttlMs: undefined },
      ]),
    ).rejects.toBeInstanceOf(ValueTooLargeError);
    // A string counts by its UTF-8 bytes: 'é' is two.
    await expect(
      backend.set(key, 'é'.repeat(DEFAULT_MAX_VALUE_BYTES / 2 + 1), undefined),
    ).rejects.toBeInstanceOf(ValueTooLargeError);
    expect(await setCommands(server.url)).toBe(before);
    expect(await backend.get(`${key}:small`)).toBeNull();
  });

  it('follows a raised item limit (-I 2m) through maxValueBytes', async () => {
    const big = await connected(
      memcachedBackend({ servers: bigItems.url, maxValueBytes: 2 * 1024 * 1024 - 1024 }),
    );
    try {
      const value = randomBytes(2 * 1024 * 1024 - 1024);
      await big.set('two-mib', value, 60_000);
      expect(Buffer.compare((await big.get('two-mib')) as Buffer, value)).toBe(0);
    } finally {
      await big.close();
    }
  });

  it('reports a server that refuses a value (maxValueBytes above its -I) as ValueTooLargeError', async () => {
    const mismatched = await connected(
      memcachedBackend({ servers: server.url, maxValueBytes: 2 * 1024 * 1024 }),
    );
    try {
      const key = `${uniquePrefix('mismatch')}k`;
      await expect(mismatched.set(key, randomBytes(1536 * 1024), undefined)).rejects.toBeInstanceOf(
        ValueTooLargeError,
      );
      // The connection is still in step: the next request gets its own answer.
      await mismatched.set(key, 'fits', undefined);
      expect((await mismatched.get(key))?.toString()).toBe('fits');
    } finally {
      await mismatched.close();
    }
  });

  it('in a store, a value over the limit goes to the next backend without counting as a failure', async () => {
    const memcached = await connected(
      memcachedBackend({ servers: server.url, maxValueBytes: 1024 }),
    );
    const memory = memoryBackend();
    const store = new ResilientStore({
      backends: [memcached, memory],
      logger: silentLogger,
    });
    const failures: string[] = [];
    store.on('failover', ({ reason }) => failures.push(`failover: ${reason}`));
    store.on('error', ({ backend: name, error }) => failures.push(`${name}: ${error.message}`));
    try {
      const key = `${uniquePrefix('routed')}k`;
      const large = 'x'.repeat(4096);
      await store.set(key, large);
      // Written to the memory backend; memcached was passed over, not asked.
      expect(await memory.get(key)).toBeDefined();
      expect(await memcached.get(key)).toBeNull();
      await store.set(`${key}:small`, 'small');
      expect(await store.get(`${key}:small`)).toBe('small');
      expect(failures).toEqual([]);
      expect(store.health()).toMatchObject({ status: 'ok', active: 'memcached' });
      expect(store.health().backends[0]).toMatchObject({ state: 'closed', lastError: undefined });
    } finally {
      await store.close();
    }
  });
});
