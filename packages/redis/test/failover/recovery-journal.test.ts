import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { EventRecorder } from './harness/event-recorder.js';
import { TUNED } from './harness/profiles.js';
import { startProxiedRedis } from './harness/proxied-redis.js';

/**
 * One key through one outage: v1 written to Redis, the connection dropped (the server
 * keeps v1), v2 written to the memory fallback, the connection restored. Returns what
 * `get` answered while the fallback served and after Redis recovered.
 */
async function writeThroughOutage(): Promise<{ during: unknown; after: unknown }> {
  const { proxy } = await startProxiedRedis();
  // Tuned for a short outage: the breaker admits its probe 500 ms after opening.
  const store = new ResilientStore({
    ...TUNED.store,
    namespace: 'journal',
    backends: [redisBackend({ url: proxy.url(), ...TUNED.redis }), memoryBackend()],
    logger: silentLogger,
  });
  onTestFinished(() => store.close());
  const events = new EventRecorder(store);
  await store.ready(10_000);
  expect(store.health().active).toBe('redis');

  await store.set('key', 'v1');
  const droppedAt = performance.now();
  await proxy.down();
  await events.waitFor('failover', { after: droppedAt, timeoutMs: 5_000 });
  await store.set('key', 'v2');
  const during = await store.get('key');

  await proxy.up();
  await events.waitFor('recovered', { after: droppedAt, timeoutMs: 10_000 });
  expect(store.health().active).toBe('redis');
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
});
