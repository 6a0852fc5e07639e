import { ConfigError, ResilientStore, silentLogger } from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { redisBackend } from '../src/index.js';

let server: RedisServer;
/** A plain client to look at the server independently of the stores. */
let probe: Redis;

beforeAll(async () => {
  server = await startRedis();
  probe = new Redis(server.url);
});

afterAll(async () => {
  probe?.disconnect();
  await server?.stop();
});

async function storeIn(namespace: string): Promise<ResilientStore> {
  const store = new ResilientStore({
    namespace,
    backends: [redisBackend({ url: server.url })],
    logger: silentLogger,
  });
  onTestFinished(() => store.close());
  await store.ready(10_000);
  return store;
}

describe('namespaces on Redis', () => {
  it('refuses a namespace holding the separator, so namespaces cannot overlap', () => {
    // 'app:v2' would put its entries under 'app:', which clear() on 'app' removes.
    for (const namespace of ['app:v2', 'a:b']) {
      expect(
        () => new ResilientStore({ namespace, backends: [redisBackend({ url: server.url })] }),
      ).toThrow(ConfigError);
    }
  });

  it('clear() removes exactly its namespace', async () => {
    const app = await storeIn('app');
    const appV2 = await storeIn('app-v2');
    await app.set('user:1', 'mine');
    await app.set('b:c', 'mine too');
    await appV2.set('user:1', 'other namespace');
    // Keys written by other clients next to the namespace, sharing its first letters.
    await probe.set('app', 'bare');
    await probe.set('ap:p', 'near');
    await probe.set('app-v2x:k', 'near');

    await app.clear();

    expect(await app.get('user:1')).toBeUndefined();
    expect(await app.get('b:c')).toBeUndefined();
    expect(await appV2.get('user:1')).toBe('other namespace');
    expect((await probe.keys('*')).sort()).toEqual(['ap:p', 'app', 'app-v2:user:1', 'app-v2x:k']);
  });
});
