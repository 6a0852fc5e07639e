import {
  memoryBackend,
  ResilientStore,
  StoreClosedError,
  type StoreEvents,
} from '@resilient-store/core';
import { startRedis } from '@resilient-store/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../src/index.js';

/** Keeps every log line, to assert what an operator would read. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const keep =
    (level: string) =>
    (_fields: unknown, message?: string): void => {
      lines.push({ level, message: message ?? '' });
    };
  return {
    lines,
    logger: { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') },
  };
}

let url = '';
let stopServer: () => Promise<void> = async () => {};

beforeAll(async () => {
  const server = await startRedis();
  url = server.url;
  stopServer = () => server.stop();
}, 60_000);
afterAll(() => stopServer());

function storeOnRedis(options: {
  serializer?: 'json' | 'v8';
  namespace: string;
  /** Budget of one call and of one operation, ms; the defaults when absent. */
  budgetMs?: number;
}) {
  const { logger, lines } = recordingLogger();
  const redis = redisBackend({ url });
  const budget = options.budgetMs;
  const store = new ResilientStore({
    namespace: options.namespace,
    ...(budget === undefined ? {} : { breaker: { timeout: budget }, operationTimeout: budget }),
    serializer: options.serializer,
    backends: [redis, memoryBackend({ maxEntries: 200_000 })],
    logger,
  });
  onTestFinished(() => store.close());
  return { store, redis, lines };
}

describe('a large batch on Redis', () => {
  it('setMany of 125,000 entries is written by Redis, read back and deleted', async () => {
    // One call's default budget (250 ms) is for one key, not for 125,000: this checks
    // that such a batch can be built and sent at all (it overflowed the call stack).
    const { store } = storeOnRedis({ namespace: 'batch', budgetMs: 30_000 });
    // What moved a call off Redis, if anything did: the explanation of a failure below.
    const happened: string[] = [];
    store.on('error', (e) => happened.push(`error on ${e.backend}: ${e.error.message}`));
    store.on('failover', (e) => happened.push(`failover ${e.from} -> ${e.to}: ${e.reason}`));
    await store.ready(10_000);
    const entries = Array.from({ length: 125_000 }, (_, i) => ({ key: `k${i}`, value: i }));
    await store.setMany(entries);
    expect(store.health().active, happened.join('; ')).toBe('redis');
    const read = await store.getMany(entries.map((e) => e.key));
    expect(read.length).toBe(125_000);
    const wrong = read.filter((value, i) => value !== i).length;
    expect(wrong, `values read back wrong; ${happened.join('; ')}`).toBe(0);
    expect(await store.deleteMany(entries.map((e) => e.key))).toBe(125_000);
  }, 60_000);
});

describe("serializer 'v8' through Redis", () => {
  it('keeps Map, Set, Date, BigInt and NaN across a real round trip', async () => {
    const { store } = storeOnRedis({ namespace: 'v8', serializer: 'v8' });
    await store.ready(10_000);
    const value = {
      map: new Map([['a', new Set([1n])]]),
      at: new Date(0),
      nan: Number.NaN,
      re: /x/g,
    };
    await store.set('k', value);
    expect(store.health().active).toBe('redis');
    expect(await store.get('k')).toEqual(value);
    expect(await store.getOrSet('other', () => value)).toEqual(value);
  });
});

describe('calls in flight when the store closes', () => {
  it('settle with their answer or StoreClosedError, without an all-failed error or log line', async () => {
    const { store, lines } = storeOnRedis({ namespace: 'closing' });
    await store.ready(10_000);
    const errors: Array<StoreEvents['error']> = [];
    store.on('error', (e) => errors.push(e));
    const inFlight: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      inFlight.push(store.set(`k${i}`, { i }), store.get(`k${i}`));
    }
    // Handlers attached before close(), as an application awaiting its calls has them.
    const settled = Promise.allSettled(inFlight);
    await store.close();
    const results = await settled;
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StoreClosedError);
    }
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.some((l) => l.message.includes('every backend failed'))).toBe(false);
    expect(errors.filter((e) => !(e.error instanceof StoreClosedError))).toEqual([]);
  });
});
