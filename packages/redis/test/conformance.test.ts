import { describeBackendConformance, type RedisServer, startRedis } from '@resilient-store/testkit';
import { afterAll, beforeAll } from 'vitest';
import { redisBackend } from '../src/index.js';
import { connected } from './helpers.js';

// The cluster runs the same suite in cluster.test.ts, which owns the (costly) cluster.
let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

describeBackendConformance(
  'redis single node',
  () => connected(redisBackend({ url: server.url })),
  {
    ttlGranularityMs: 1,
  },
);

describeBackendConformance(
  'redis single node without auto-pipelining',
  () => connected(redisBackend({ url: server.url, enableAutoPipelining: false })),
  { ttlGranularityMs: 1 },
);
