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

/** A store on [redis, memory], instrumented as "journal", with Redis up and serving. */
async function redisStore(maxJournalKeys?: number) {
  const server = await startRedis();
  cleanup.push(() => server.stop());
  const store = new ResilientStore({
    backends: [redisBackend({ url: server.url }), memoryBackend()],
    logger: silentLogger,
    recovery: maxJournalKeys === undefined ? undefined : { maxJournalKeys },
  });
  cleanup.push(() => store.close());
  const registry = new Registry();
  instrument(store, { registry, name: 'journal' });
  await store.ready();
  expect(store.health().active).toBe('redis');
  return { server, store, registry };
}

const onRedis = { store: 'journal', backend: 'redis' };
const value = (registry: Registry, metric: string, labels: Record<string, string> = onRedis) =>
  sample(registry, metric, labels);
const replayed = (registry: Registry, result: string) =>
  value(registry, METRIC.replayedKeys, { ...onRedis, result });
/** Finished replays into Redis: the duration histogram's count. */
const replays = async (registry: Registry) =>
  (await samples(registry, METRIC.replayDuration)).find(
    (s) => s.metricName.endsWith('_count') && s.labels.backend === 'redis',
  )?.value ?? 0;

async function killAndFailOver(
  server: { kill(): Promise<void> },
  store: ResilientStore,
): Promise<void> {
  await server.kill();
  await vi.waitFor(() => expect(store.health().active).toBe('memory'), { timeout: 10_000 });
}

describe('recovery journal metrics, Redis killed and restarted', () => {
  it('count the keys Redis missed, then what the replay wrote back and deleted, and its duration', async () => {
    const { server, store, registry } = await redisStore();
    await store.set('gone', 'before the outage');
    expect(await value(registry, METRIC.journalKeys)).toBe(0);
    // The replay count exists at 0, so increase() sees the first replay.
    expect(
      (await samples(registry, METRIC.replayDuration)).some(
        (s) => s.metricName.endsWith('_count') && s.labels.backend === 'redis' && s.value === 0,
      ),
    ).toBe(true);

    await killAndFailOver(server, store);
    for (const key of ['a', 'b', 'c', 'd']) await store.set(key, key);
    await store.set('a', 'again'); // the same key: one journal entry
    await store.delete('gone');

    expect(await value(registry, METRIC.journalKeys)).toBe(5);
    expect(await value(registry, METRIC.journalOverflowed)).toBe(0);
    expect(await value(registry, METRIC.journalKeys, { store: 'journal', backend: 'memory' })).toBe(
      0,
    );
    expect(await replayed(registry, 'written')).toBe(0);

    await server.restart();
    await vi.waitFor(async () => expect(await replays(registry)).toBe(1), { timeout: 20_000 });

    expect(await replayed(registry, 'written')).toBe(4);
    expect(await replayed(registry, 'deleted')).toBe(1);
    expect(await replayed(registry, 'skipped')).toBe(0);
    expect(await value(registry, METRIC.journalKeys)).toBe(0);
    expect(await value(registry, METRIC.journalOverflows)).toBe(0);
    const seconds = (await samples(registry, METRIC.replayDuration)).find(
      (s) => s.metricName.endsWith('_sum') && s.labels.backend === 'redis',
    )?.value;
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds).toBeLessThan(20);
    // Redis serves what it missed: the replay, not a fallback, answers.
    expect(store.health().active).toBe('redis');
    expect(await store.get('a')).toBe('again');
    expect(await store.get('gone')).toBeUndefined();
  }, 60_000);

  it('count an overflow, show it until the replay resolves it by clearing the namespace', async () => {
    const { server, store, registry } = await redisStore(3);
    await killAndFailOver(server, store);
    for (let i = 0; i < 3; i++) await store.set(`k${i}`, i);
    expect(await value(registry, METRIC.journalKeys)).toBe(3);
    expect(await value(registry, METRIC.journalOverflows)).toBe(0);

    await store.set('one-too-many', 4);
    await store.set('and-another', 5); // the journal stays overflowed: no second overflow
    expect(await value(registry, METRIC.journalOverflows)).toBe(1);
    expect(await value(registry, METRIC.journalOverflowed)).toBe(1);
    expect(await value(registry, METRIC.journalKeys)).toBe(0);

    await server.restart();
    await vi.waitFor(async () => expect(await replays(registry)).toBe(1), { timeout: 20_000 });
    expect(await value(registry, METRIC.journalOverflowed)).toBe(0);
    expect(await value(registry, METRIC.journalOverflows)).toBe(1);
    // The namespace was cleared: no key was named, so none was replayed one by one.
    expect(await replayed(registry, 'written')).toBe(0);
    expect(await replayed(registry, 'deleted')).toBe(0);
  }, 60_000);
});
