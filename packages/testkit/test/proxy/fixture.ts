import { afterAll, afterEach, beforeAll } from 'vitest';
import type { FaultProxy } from '../../src/proxy/index.js';
import { startFaultProxy } from '../../src/proxy/index.js';
import { type RedisServer, startRedis } from '../../src/servers/index.js';
import { RespClient } from './resp-client.js';

export interface ProxyFixture {
  readonly redis: RedisServer;
  /** A proxy in front of the file's Redis, closed after the test. */
  proxy(listenPort?: number): Promise<FaultProxy>;
  /** A raw client through `proxy`, closed after the test. */
  client(proxy: FaultProxy): Promise<RespClient>;
  /** A raw client straight to Redis, closed after the test. */
  direct(): Promise<RespClient>;
}

/**
 * One Redis server per test file; proxies and clients opened through the fixture are closed
 * after each test, so a failing assertion never leaks sockets into the next test.
 */
export function useProxyFixture(): ProxyFixture {
  let redis: RedisServer | undefined;
  const proxies: FaultProxy[] = [];
  const clients: RespClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const fixture: ProxyFixture = {
    get redis(): RedisServer {
      if (redis === undefined) throw new Error('redis not started yet');
      return redis;
    },
    async proxy(listenPort?: number) {
      const { host, port } = fixture.redis;
      const proxy = await startFaultProxy({ target: { host, port }, listenPort });
      proxies.push(proxy);
      return proxy;
    },
    async client(proxy: FaultProxy) {
      const client = await RespClient.connect(proxy.port, proxy.host);
      clients.push(client);
      return client;
    },
    async direct() {
      const client = await RespClient.connect(fixture.redis.port, fixture.redis.host);
      clients.push(client);
      return client;
    },
  };
  return fixture;
}
