import {
  describeBackendConformance,
  type MemcachedServer,
  startMemcached,
} from '@resilient-store/testkit';
import { afterAll, beforeAll } from 'vitest';
import { memcachedBackend } from '../src/index.js';
import { connected } from './helpers.js';

let server: MemcachedServer;

beforeAll(async () => {
  server = await startMemcached();
});

afterAll(async () => {
  await server?.stop();
});

describeBackendConformance(
  'memcached',
  () => connected(memcachedBackend({ servers: server.url })),
  {
    // Memcached counts TTLs in whole seconds; the backend rounds up.
    ttlResolutionMs: 1000,
    // setIfOlder with gets/cas (src/conditional-writes.ts).
    conditionalWrites: true,
  },
);
