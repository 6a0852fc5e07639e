import {
  BackendUnavailableError,
  memoryBackend,
  ResilientStore,
  silentLogger,
} from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import memjs from 'memjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src/index.js';
import { bytes, connected, outcomeWithin, text, until } from './helpers.js';

/**
 * Two servers, one killed. memjs's failover (sending a dead server's keys to the next
 * one) stays off: that server never had those keys, and would keep serving them after
 * the first returns. Instead the backend reports itself unavailable while any server is
 * down: the store serves every key from the next backend, and no call waits.
 */
let a: MemcachedServer;
let b: MemcachedServer;
let backend: MemcachedBackend;

beforeAll(async () => {
  [a, b] = await Promise.all([startMemcached(), startMemcached()]);
  backend = await connected(memcachedBackend({ servers: [a.url, b.url], maxReconnectDelay: 200 }));
});

afterAll(async () => {
  await backend?.close();
});

const keys = Array.from({ length: 40 }, (_, i) => `two:${i}`);
const onServer = (index: number) => keys.filter((key) => memjs.Utils.hashCode(key) % 2 === index);

describe('two memcached servers', () => {
  it("spreads keys over both with memjs's distribution", async () => {
    await backend.setMany(keys.map((key) => ({ key, value: bytes(key), ttlMs: 60_000 })));
    expect(onServer(0).length).toBeGreaterThan(0);
    expect(onServer(1).length).toBeGreaterThan(0);
    const raw = memjs.Client.create(b.url, { logger: { log: () => {} } });
    try {
      const stats = await new Promise<Record<string, string>>((resolve, reject) =>
        raw.stats((error, _server, values) => (error ? reject(error) : resolve(values ?? {}))),
      );
      // The second server holds its share (plus its generation registry).
      expect(Number(stats.curr_items)).toBeGreaterThanOrEqual(onServer(1).length);
    } finally {
      raw.close();
    }
    expect((await backend.getMany(keys)).map(text)).toEqual(keys);
  });

  it('with one killed: the backend is unavailable, its keys fail at once, the other keeps answering', async () => {
    await b.kill();
    await until('unavailable', () => !backend.availability.isAvailable(), 5_000);
    const live = onServer(0)[0] as string;
    const lost = onServer(1)[0] as string;
    expect(text(await backend.get(live))).toBe(live);
    // Each observed from the start: they reject at once.
    const outcomes = await Promise.all(
      [
        backend.get(lost),
        backend.set(lost, bytes('x'), undefined),
        backend.getMany(keys),
        backend.deleteMany(keys),
        backend.clear('two:'),
      ].map((call) => outcomeWithin(call as Promise<unknown>, 1_000)),
    );
    for (const outcome of outcomes) {
      expect(outcome.state).toBe('rejected');
      expect((outcome as { error: unknown }).error).toBeInstanceOf(BackendUnavailableError);
    }
  });

  it('in a store, every key is served by the next backend without waiting, and memcached returns with the server', async () => {
    const store = new ResilientStore({
      backends: [backend, memoryBackend()],
      logger: silentLogger,
      breaker: { resetTimeout: 500 },
    });
    try {
      expect(store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
      for (const key of keys) {
        const outcome = await outcomeWithin(store.set(key, `during ${key}`), 1_000);
        expect(outcome.state).toBe('fulfilled');
      }
      expect(await store.get(keys[1] as string)).toBe(`during ${keys[1]}`);
      await b.restart();
      await until('memcached serves again', () => store.health().active === 'memcached', 10_000);
      await store.set('two:after', 'back');
      expect(await store.get('two:after')).toBe('back');
    } finally {
      // The store closes the backend too.
      await store.close();
    }
  });
});
