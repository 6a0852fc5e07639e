import {
  type Logger,
  memoryBackend,
  ResilientStore,
  type StoreEvents,
} from '@resilient-store/core';
import { startRedis } from '@resilient-store/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { outcomeWithin, text } from '../helpers.js';
import { TUNED } from './fixtures/profiles.js';

/** A logger that keeps every line, to assert what an operator would read. */
function recordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const keep =
    (level: string) =>
    (_fields: unknown, message?: string): void => {
      lines.push({ level, message: message ?? '' });
    };
  return {
    lines,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  };
}

/** Polls `condition` every 20 ms until it holds or `ms` passed. */
async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.sequential('clear() while Redis is paused (SIGSTOP)', () => {
  it('never lets Redis serve a cleared entry: it is recorded, reported, and cleared before Redis serves again', async () => {
    const server = await startRedis();
    onTestFinished(() => server.stop());
    const redis = redisBackend({ url: server.url, ...TUNED.redis });
    const logger = recordingLogger();
    const store = new ResilientStore({
      ...TUNED.store,
      namespace: 'clr',
      backends: [redis, memoryBackend()],
      logger,
    });
    onTestFinished(() => store.close());
    const errors: Array<StoreEvents['error']> = [];
    const reconciled: Array<StoreEvents['reconciled']> = [];
    store.on('error', (e) => errors.push(e));
    store.on('reconciled', (e) => reconciled.push(e));
    await store.ready(10_000);
    expect(store.health().active).toBe('redis');

    const keys = ['a', 'b', 'c'];
    await store.setMany(keys.map((key) => ({ key, value: `old-${key}` })));
    await server.pause();
    let resumed = false;
    onTestFinished(async () => {
      if (!resumed) await server.resume();
    });

    const cleared = await outcomeWithin(store.clear(), 10_000);
    // Memory cleared, Redis recorded as having missed it: the store may report success.
    expect(cleared.state).toBe('fulfilled');
    // ...and says what happened: an error event for Redis and one log line.
    expect(errors.some((e) => e.backend === 'redis' && e.operation === 'clear')).toBe(true);
    expect(
      logger.lines.some(
        (l) => l.level === 'warn' && l.message.includes('clear') && l.message.includes('redis'),
      ),
    ).toBe(true);

    // While Redis is paused the cleared entries are not served from anywhere.
    expect(await store.getMany(keys)).toEqual([undefined, undefined, undefined]);

    await server.resume();
    resumed = true;
    // Redis still holds the entries until the missed clear is replayed into it.
    await until(() => reconciled.some((r) => r.backend === 'redis'), 15_000);
    for (const key of keys) expect(text(await redis.get(`clr:${key}`))).toBeUndefined();
    expect(store.health().active).toBe('redis');
    expect(await store.getMany(keys)).toEqual([undefined, undefined, undefined]);
    // A write after the clear lands and reads back.
    await store.set('a', 'new-a');
    expect(await store.get('a')).toBe('new-a');
  }, 40_000);
});
