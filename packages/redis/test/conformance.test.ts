import { describeBackendConformance, type RedisServer, startRedis } from '@resilient-store/testkit';
import { afterAll, beforeAll } from 'vitest';
import { redisBackend } from '../src/index.js';
import { connected } from './helpers.js';

// The cluster runs the same suite in cluster.test.ts, which owns the (costly) cluster.
let server: RedisServer;
let tlsServer: RedisServer;
const tlsUser = { name: 'app', password: 'app-secret' };

beforeAll(async () => {
  [server, tlsServer] = await Promise.all([startRedis(), startRedis({ tls: true, user: tlsUser })]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), tlsServer?.stop()]);
});

describeBackendConformance(
  'redis single node',
  () => connected(redisBackend({ url: server.url })),
  {
    ttlResolutionMs: 1,
    conditionalWrites: true,
  },
);

describeBackendConformance(
  'redis single node without auto-pipelining',
  () => connected(redisBackend({ url: server.url, enableAutoPipelining: false })),
  { ttlResolutionMs: 1, conditionalWrites: true },
);

// TLS and an ACL user pass through to every connection, with both write paths.
for (const enableAutoPipelining of [true, false]) {
  describeBackendConformance(
    `redis single node over TLS as an ACL user${enableAutoPipelining ? '' : ' without auto-pipelining'}`,
    () =>
      connected(
        redisBackend({
          url: tlsServer.url,
          tls: { ca: tlsServer.tls?.ca },
          enableAutoPipelining,
        }),
      ),
    { ttlResolutionMs: 1, conditionalWrites: true },
  );
}
