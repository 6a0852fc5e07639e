import {
  memoryBackend,
  type RecoveryOptions,
  ResilientStore,
  type StoreEvents,
  silentLogger,
} from '@resilient-store/core';
import { EventRecorder } from '@resilient-store/testkit/failover';
import { checkHistory, HistoryRecorder, historyNow } from '@resilient-store/testkit/history';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { TUNED } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

interface Outage {
  readonly store: ResilientStore;
  /** Drops the connection (the server keeps its data) and waits for the failover. */
  cut(): Promise<void>;
  /** Restores it and waits for the recovery. */
  restore(): Promise<void>;
}

/** A store `[redis behind a fault proxy, memory]` on Redis, and the outage to put it through. */
async function storeOnRedis(recovery?: RecoveryOptions): Promise<Outage> {
  const { proxy } = await startProxiedRedis();
  // Tuned for a short outage: the breaker admits its probe 500 ms after opening.
  const store = new ResilientStore({
    ...TUNED.store,
    namespace: 'journal',
    backends: [redisBackend({ url: proxy.url(), ...TUNED.redis }), memoryBackend()],
    logger: silentLogger,
    recovery,
  });
  onTestFinished(() => store.close());
  const events = new EventRecorder(store);
  await store.ready(10_000);
  expect(store.health().active).toBe('redis');
  let droppedAt = 0;
  return {
    store,
    cut: async () => {
      droppedAt = performance.now();
      await proxy.down();
      await events.waitFor('failover', { after: droppedAt, timeoutMs: 5_000 });
    },
    restore: async () => {
      await proxy.up();
      await events.waitFor('recovered', { after: droppedAt, timeoutMs: 10_000 });
      expect(store.health().active).toBe('redis');
    },
  };
}

/**
 * One key through one outage: v1 written to Redis, the connection dropped (the server
 * keeps v1), v2 written to the memory fallback, the connection restored. Returns what
 * `get` answered while the fallback served and after Redis recovered.
 */
async function writeThroughOutage(): Promise<{ during: unknown; after: unknown }> {
  const { store, cut, restore } = await storeOnRedis();
  await store.set('key', 'v1');
  await cut();
  await store.set('key', 'v2');
  const during = await store.get('key');
  await restore();
  const after = await store.get('key');
  return { during, after };
}

describe.sequential('read-your-writes across an outage (one key, deterministic)', () => {
  it('while the fallback serves, a get returns the value written during the outage', async () => {
    const { during } = await writeThroughOutage();
    expect(during).toBe('v2');
  }, 20_000);

  it('after Redis recovers, a get returns the value written during the outage (replayed into Redis)', async () => {
    const { after } = await writeThroughOutage();
    expect(after).toBe('v2');
  }, 20_000);

  it('after Redis recovers, Redis itself holds the value written during the outage', async () => {
    const { store, cut, restore } = await storeOnRedis();
    const reconciled = new Promise<StoreEvents['reconciled']>((resolve) =>
      store.once('reconciled', resolve),
    );
    await store.set('key', 'v1');
    await cut();
    await store.set('key', 'v2');
    await restore();
    expect(await reconciled).toMatchObject({ backend: 'redis', keys: 1, deleted: 0, skipped: 0 });
    // With the journal empty, Redis serves the key itself.
    expect(store.health().active).toBe('redis');
    expect(await store.get('key')).toBe('v2');
  }, 20_000);

  it('the history checker finds no violation through the outage and recovery', async () => {
    const { store, cut, restore } = await storeOnRedis();
    const history = new HistoryRecorder('p1');
    await history.set(store, 'key');
    await cut();
    await history.set(store, 'key');
    await history.get(store, 'key');
    await restore();
    const convergedAfter = historyNow();
    await history.get(store, 'key');
    expect(checkHistory(history.history(), { convergedAfter }).violations).toEqual([]);
  }, 20_000);

  // Proves the checker fails on a real history: the same outage with the journal
  // switched off (its test-only hook) serves Redis's older value after recovery.
  it('with the journal switched off, the history checker names the stale read after recovery', async () => {
    const { store, cut, restore } = await storeOnRedis({ journal: false });
    const history = new HistoryRecorder('p1');
    await history.set(store, 'key'); // p1:1, on Redis
    await cut();
    await history.set(store, 'key'); // p1:2, on memory
    await history.get(store, 'key');
    await restore();
    const convergedAfter = historyNow();
    await history.get(store, 'key'); // Redis answers p1:1

    const { violations } = checkHistory(history.history(), { convergedAfter });
    expect(violations.map((v) => [v.check, v.kind, v.ops.map((op) => op.version)])).toEqual([
      ['read-your-writes', 'stale', ['p1:1', 'p1:1', 'p1:2']],
      ['monotonic-reads', 'backwards', ['p1:1', 'p1:1', 'p1:2', 'p1:2']],
      ['convergence', 'stale', ['p1:1', 'p1:1', 'p1:2']],
    ]);
  }, 20_000);
});
