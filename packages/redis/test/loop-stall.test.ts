import {
  memoryBackend,
  ResilientStore,
  type StoreEvents,
  silentLogger,
} from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type RedisBackend, redisBackend } from '../src/index.js';
import { TransitionRecorder } from './helpers.js';

/**
 * The application's own event-loop stalls are not the backend's failures: after a
 * blocked loop, the replies already waiting in the socket are read before any
 * deadline is judged, and a timeout caused by the block is not counted on the breaker.
 */

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

/** Blocks the event loop for `ms`, as a GC pause or a large synchronous JSON.parse would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/**
 * Blocks the loop for `ms` once the commands issued so far are on the wire: the
 * backend writes them at the end of the current tick, and this runs right after,
 * so Redis answers while the loop is blocked and the replies wait in the socket.
 */
function stallAfterSending(ms: number): void {
  process.nextTick(() => busy(ms));
}

async function storeOnRedis(namespace: string) {
  const redis: RedisBackend = redisBackend({ url: server.url });
  const store = new ResilientStore({
    namespace,
    // The defaults: 250 ms per attempt, ioredis command timeout 300 ms, silence 1 s.
    backends: [redis, memoryBackend()],
    logger: silentLogger,
  });
  onTestFinished(() => store.close());
  await store.ready(10_000);
  const errors: Array<StoreEvents['error']> = [];
  const failovers: Array<StoreEvents['failover']> = [];
  store.on('error', (event) => errors.push(event));
  store.on('failover', (event) => failovers.push(event));
  return { store, redis, errors, failovers };
}

describe('event-loop stalls of this process', () => {
  it('answers ten reads in flight right after a 300 ms stall, without opening the breaker', async () => {
    const { store, errors, failovers } = await storeOnRedis('stall300');
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const key of keys) await store.set(key, { key });

    // Three rounds: a breaker would open on the first if these timeouts counted.
    for (let round = 0; round < 3; round++) {
      const reads = keys.map((key) => store.get(key));
      stallAfterSending(300);
      expect(await Promise.all(reads)).toEqual(keys.map((key) => ({ key })));
    }

    expect(errors.map((e) => e.error.message)).toEqual([]);
    expect(failovers).toEqual([]);
    const health = store.health();
    expect(health.active).toBe('redis');
    expect(health.backends[0]?.state).toBe('closed');
    // The stall is visible where an operator looks.
    expect(health.eventLoop.delayMaxMs).toBeGreaterThanOrEqual(200);
  }, 30_000);

  it('keeps the connection through a 1.1 s stall with one command in flight', async () => {
    const { store, redis, errors, failovers } = await storeOnRedis('stall1100');
    await store.set('k', 'v');
    const recorder = new TransitionRecorder(redis.availability);
    onTestFinished(() => recorder.unsubscribe());

    const read = store.get('k');
    stallAfterSending(1_100);
    expect(await read).toBe('v');
    // A later read finds the same connection, still up.
    expect(await store.get('k')).toBe('v');

    expect(recorder.transitions).toEqual([]);
    expect(errors.map((e) => e.error.message)).toEqual([]);
    expect(failovers).toEqual([]);
    expect(store.health().backends[0]?.state).toBe('closed');
  }, 30_000);

  it('still declares a server that stops answering down, with the loop running', async () => {
    const { store, redis, failovers } = await storeOnRedis('silent');
    await store.set('k', 'v');
    const recorder = new TransitionRecorder(redis.availability);
    onTestFinished(() => recorder.unsubscribe());
    await server.pause();
    try {
      // Served by the fallback (a miss there) within the deadline, then the
      // silence watch drops the dead connection and the signal follows.
      expect(await store.get('k')).toBeUndefined();
      const [down] = await recorder.waitForCount(1, 10_000);
      expect(down?.available).toBe(false);
      expect(down?.cause?.message).toMatch(/socket timeout/i);
      expect(failovers.length).toBeGreaterThanOrEqual(1);
    } finally {
      await server.resume();
    }
  }, 30_000);
});
