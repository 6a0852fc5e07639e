import {
  jsonSerializer,
  ResilientStore,
  type Serializer,
  type StoreEvents,
  silentLogger,
} from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../src/index.js';

/**
 * docs/guarantees.md §2: the backend's timeout covers the backend's time only; the
 * caller's own encoding (before) and decoding (after) are not a backend's time, so a
 * slow serializer on a healthy Redis is never reported as Redis not answering.
 */

let server: RedisServer;
let probe: Redis;

beforeAll(async () => {
  server = await startRedis();
  probe = new Redis(server.url);
});

afterAll(async () => {
  probe?.disconnect();
  await server?.stop();
});

/** Blocks the event loop for `ms`, as a large synchronous JSON.stringify/parse would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** The default JSON serializer, made `encodeMs` slower to encode and `decodeMs` to decode. */
function slowSerializer(encodeMs: number, decodeMs: number): Serializer {
  return {
    serialize(value) {
      busy(encodeMs);
      return jsonSerializer.serialize(value);
    },
    deserialize(bytes) {
      busy(decodeMs);
      return jsonSerializer.deserialize(bytes);
    },
  };
}

async function storeWith(serializer: Serializer, namespace: string) {
  const store = new ResilientStore({
    namespace,
    // Well below the serializer's cost: a clock read before encoding would spend
    // the whole budget before the command is even sent.
    breaker: { timeout: 250 },
    operationTimeout: 1_000,
    serializer,
    backends: [redisBackend({ url: server.url })],
    logger: silentLogger,
  });
  onTestFinished(() => store.close());
  await store.ready(10_000);
  const errors: Array<StoreEvents['error']> = [];
  store.on('error', (event) => errors.push(event));
  return { store, errors };
}

describe('what the deadline covers', () => {
  it('does not count a 300 ms encode against Redis: every set lands, no timeout, breaker closed', async () => {
    const { store, errors } = await storeWith(slowSerializer(300, 0), 'slowenc');
    // Ten in a row: enough to open the breaker if each were counted as a timeout.
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, { i }, { ttl: 60_000 });

    expect(errors.map((e) => e.error.message)).toEqual([]);
    const health = store.health();
    expect(health.status).toBe('ok');
    expect(health.backends[0]?.state).toBe('closed');
    // Redis, not a fallback, holds every value.
    for (let i = 0; i < 10; i++) expect(await probe.exists(`slowenc:k${i}`)).toBe(1);
  }, 30_000);

  it('does not count a 300 ms decode against Redis: the right value, no timeout, breaker closed', async () => {
    const { store, errors } = await storeWith(slowSerializer(0, 300), 'slowdec');
    for (let i = 0; i < 5; i++) await store.set(`k${i}`, { i });
    for (let i = 0; i < 5; i++) expect(await store.get(`k${i}`)).toEqual({ i });

    expect(errors.map((e) => e.error.message)).toEqual([]);
    expect(store.health().backends[0]?.state).toBe('closed');
  }, 30_000);
});
