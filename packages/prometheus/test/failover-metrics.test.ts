import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import { redisBackend } from '@resilient-store/redis';
import { startRedis } from '@resilient-store/testkit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument, METRIC } from '../src/index.js';
import { sample, samples } from './helpers.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function redisStore(withFallback: boolean) {
  const server = await startRedis();
  cleanup.push(() => server.stop());
  const store = new ResilientStore({
    backends: withFallback
      ? [redisBackend({ url: server.url }), memoryBackend()]
      : [redisBackend({ url: server.url })],
    logger: silentLogger,
  });
  cleanup.push(() => store.close());
  const registry = new Registry();
  instrument(store, { registry, name: 'redis' });
  await store.ready();
  return { server, store, registry };
}

const redisCalls = (registry: Registry, outcome: string) =>
  samples(registry, METRIC.operations).then((all) =>
    all
      .filter((s) => s.labels.backend === 'redis' && s.labels.outcome === outcome)
      .reduce((sum, s) => sum + s.value, 0),
  );

describe('metrics of a store whose Redis fails', () => {
  it('a paused Redis: calls that ran past the timeout count as timeout, the fallback answers', async () => {
    const { server, store, registry } = await redisStore(true);
    await store.set('k', 'v');
    expect(await redisCalls(registry, 'ok')).toBe(1);
    await server.pause();
    cleanup.push(() => server.resume());
    await expect(store.get('k')).resolves.toBeUndefined(); // memory never saw the write
    expect(await redisCalls(registry, 'timeout')).toBe(1);
    expect(
      await sample(registry, METRIC.operations, {
        backend: 'memory',
        operation: 'get',
        outcome: 'miss',
      }),
    ).toBe(1);
  });

  it('a killed Redis with no fallback: every backend failed, counted and timed under backend "none"', async () => {
    const { server, store, registry } = await redisStore(false);
    await server.kill();
    await vi.waitFor(() => expect(store.health().active).toBeNull(), { timeout: 10_000 });
    await expect(store.get('k')).resolves.toBeUndefined();
    await expect(store.set('k', 'v')).rejects.toThrow(/failed on every backend/);
    expect(await sample(registry, METRIC.allFailed, { store: 'redis', operation: 'get' })).toBe(1);
    expect(await sample(registry, METRIC.allFailed, { store: 'redis', operation: 'set' })).toBe(1);
    expect(await redisCalls(registry, 'skipped')).toBe(2);
    expect(await sample(registry, METRIC.servingBackend, { backend: 'redis' })).toBe(0);
    expect(await sample(registry, METRIC.failovers, { from: 'redis', to: 'none' })).toBe(1);
    const failedGets = (await samples(registry, METRIC.operationDuration)).find(
      (s) =>
        s.metricName.endsWith('_count') &&
        s.labels.backend === 'none' &&
        s.labels.operation === 'get',
    );
    expect(failedGets?.value).toBe(1);
  });
});
