import {
  describeBackendConformance,
  type RedisSentinelGroup,
  startRedisSentinel,
} from '@resilient-store/testkit';
import { afterAll, beforeAll } from 'vitest';
import { redisBackend } from '../src/index.js';
import { connected } from './helpers.js';

// The master is found through three sentinels; failover under load is scenario 7.
let group: RedisSentinelGroup;

beforeAll(async () => {
  group = await startRedisSentinel({ masterName: 'cache' });
});

afterAll(async () => {
  await group?.stop();
});

// The suite checks what the backend stores, not how fast: with three servers and three
// sentinels on a shared 2-core machine, a 2,500-key batch can outlast the default 300 ms
// command timeout (seen as "Command timed out" in the many-keys clear). Deadlines are
// the failover scenarios' subject.
const NO_DEADLINE_UNDER_TEST_MS = 10_000;

describeBackendConformance(
  'redis through sentinel',
  () =>
    connected(
      redisBackend({
        sentinels: group.sentinels,
        masterName: group.masterName,
        commandTimeout: NO_DEADLINE_UNDER_TEST_MS,
      }),
    ),
  { ttlResolutionMs: 1, conditionalWrites: true },
);
