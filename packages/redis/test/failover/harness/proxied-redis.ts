import {
  type FaultProxy,
  type RedisServer,
  startFaultProxy,
  startRedis,
} from '@resilient-store/testkit';
import { onTestFinished } from 'vitest';

/**
 * A Redis server behind the testkit's fault proxy; the store connects to `proxy.url()`.
 * The server is stopped by the testkit's vitest setup; the proxy is closed when the test ends.
 */
export async function startProxiedRedis(): Promise<{ server: RedisServer; proxy: FaultProxy }> {
  const server = await startRedis();
  const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  onTestFinished(() => proxy.close());
  return { server, proxy };
}
