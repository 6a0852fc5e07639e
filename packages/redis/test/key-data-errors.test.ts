import {
  keyHash,
  memoryBackend,
  ResilientStore,
  type StoreEvents,
  silentLogger,
} from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../src/index.js';
import { isKeyDataReply } from '../src/reply-errors.js';

/** One bad key is that key's problem: a miss, an event with its hash, never the backend's failure. */

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

describe('an entry Redis cannot serve as a string', () => {
  it('reads as a miss without opening the breaker, and a set replaces it', async () => {
    const store = new ResilientStore({
      namespace: 'kd',
      backends: [redisBackend({ url: server.url }), memoryBackend()],
      logger: silentLogger,
    });
    onTestFinished(() => store.close());
    await store.ready(10_000);
    const errors: Array<StoreEvents['error']> = [];
    store.on('error', (event) => errors.push(event));

    await store.set('good', { fine: true });
    // Another client stores a list under the store's own key name.
    const badKey = 'list-held-key-7f3a';
    await probe.lpush(`kd:${badKey}`, 'foreign');

    for (let i = 0; i < 25; i++) expect(await store.get(badKey)).toBeUndefined();

    const health = store.health();
    expect(health.active).toBe('redis');
    expect(health.backends[0]?.state).toBe('closed');
    expect(health.backends[0]?.keyErrors).toBe(25);
    expect(health.backends[0]?.failedAttempts).toBe(0);
    // Served by Redis: the memory fallback never saw this key.
    expect(await store.get('good')).toEqual({ fine: true });

    // Reported with the key's hash, never the key, and bounded.
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(5);
    for (const event of errors) {
      expect(event).toMatchObject({ backend: 'redis', operation: 'get' });
      expect(event.keyHash).toBe(keyHash(`kd:${badKey}`));
      expect(event.error.message).toMatch(/WRONGTYPE/);
      expect(JSON.stringify({ ...event, message: event.error.message })).not.toContain(badKey);
    }

    // The next write replaces the entry.
    await store.set(badKey, 'mine');
    expect(await probe.type(`kd:${badKey}`)).toBe('string');
    expect(await store.get(badKey)).toBe('mine');
    expect(store.health().backends[0]?.state).toBe('closed');
  }, 30_000);

  it('classifies Redis error replies: the key holds the wrong data, or the server is unwell', async () => {
    const reply = async (...args: [string, ...Array<string | number>]) => {
      try {
        await probe.call(...args);
      } catch (error) {
        return error as Error;
      }
      throw new Error(`${args[0]} did not fail`);
    };
    await probe.lpush('kd:list', 'x');
    expect(isKeyDataReply(await reply('get', 'kd:list'))).toBe(true);
    expect(isKeyDataReply(await reply('incr', 'kd:list'))).toBe(true);
    // A command the server refuses as such says nothing about one key's data.
    expect(isKeyDataReply(await reply('nosuchcommand'))).toBe(false);
    expect(isKeyDataReply(await reply('evalsha', '0'.repeat(40), 0))).toBe(false);
    // Replies the test server cannot produce on demand, by their code.
    const replyError = (message: string) =>
      Object.assign(new Error(message), { name: 'ReplyError' });
    for (const code of [
      'OOM command not allowed',
      'READONLY You can',
      'LOADING Redis is loading',
      'BUSY Redis is busy',
      'MOVED 3999 127.0.0.1:6381',
      'ASK 3999 127.0.0.1:6381',
      'NOAUTH Authentication required.',
      'NOPERM this user has no permissions',
      'MISCONF Redis is configured to save RDB snapshots',
      'ERR max number of clients reached',
    ]) {
      expect(isKeyDataReply(replyError(code)), code).toBe(false);
    }
    for (const code of [
      'WRONGTYPE Operation against a key',
      'CROSSSLOT Keys in request',
      'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    ]) {
      expect(isKeyDataReply(replyError(code)), code).toBe(true);
    }
    // Not a reply at all: a lost connection or a timeout is the backend's.
    expect(isKeyDataReply(new Error('WRONGTYPE lookalike'))).toBe(false);
  });
});
