import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import { redisBackend } from '@resilient-store/redis';
import { startFaultProxy, startMemcached, startRedis } from '@resilient-store/testkit';
import { EventRecorder, TUNED_STORE_PROFILE } from '@resilient-store/testkit/failover';
import { describe, expect, it, onTestFinished } from 'vitest';
import { memcachedBackend } from '../../src/index.js';

/**
 * Two stores [redis, memcached, memory] stand for two processes: each reaches one
 * Redis through a fault proxy of its own, and both share one Memcached. During the
 * cut, A writes a key, then B writes it again (newer): both land in Memcached. Redis
 * returns to A first. A's replay finds B's newer value in Memcached, so it leaves a
 * tombstone at its own stamp on Redis (B replays its write itself) and then removes
 * its copies from Memcached: it must not remove B's newer value there, or B's replay
 * finds nothing and B's acknowledged write is lost. Deterministic: each step waits
 * for an event.
 */
describe('a shared Memcached fallback holding another process’s newer write', () => {
  it('the process that recovers first leaves it, and after both replays both read the newer write', async () => {
    const redis = await startRedis();
    const memcached = await startMemcached();
    const namespace = `shared${Math.random().toString(36).slice(2, 8)}`;
    const build = async () => {
      const proxy = await startFaultProxy({ target: { host: redis.host, port: redis.port } });
      onTestFinished(() => proxy.close());
      const store = new ResilientStore({
        ...TUNED_STORE_PROFILE.store,
        namespace,
        backends: [
          redisBackend({ url: proxy.url(), maxReconnectDelay: 200 }),
          memcachedBackend({ servers: [memcached.url], maxReconnectDelay: 200 }),
          memoryBackend(),
        ],
        logger: silentLogger,
      });
      onTestFinished(() => store.close());
      await store.ready(10_000);
      return { proxy, store, events: new EventRecorder(store) };
    };
    const a = await build();
    const b = await build();

    await a.store.set('k', 'v0');
    const cutAt = performance.now();
    await Promise.all([a.proxy.down(), b.proxy.down()]);
    await a.events.waitFor('failover', { after: cutAt, timeoutMs: 5_000 });
    await b.events.waitFor('failover', { after: cutAt, timeoutMs: 5_000 });
    await a.store.set('k', 'a');
    await b.store.set('k', 'b'); // newer: both stores now read it from Memcached
    expect(await a.store.get('k')).toBe('b');

    const reconciledA = waitForReconciled(a.store);
    await a.proxy.up();
    expect(await reconciledA).toMatchObject({ keys: 1, deleted: 1 });
    // B still serves from Memcached: its newer write is there.
    expect(await b.store.get('k')).toBe('b');

    const reconciledB = waitForReconciled(b.store);
    await b.proxy.up();
    expect(await reconciledB).toMatchObject({ keys: 1, deleted: 0, skipped: 0 });
    expect(await a.store.get('k')).toBe('b');
    expect(await b.store.get('k')).toBe('b');
  }, 40_000);
});

function waitForReconciled(store: ResilientStore): Promise<unknown> {
  return new Promise((resolve) => store.once('reconciled', resolve));
}
