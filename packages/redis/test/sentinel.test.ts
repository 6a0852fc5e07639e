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

describeBackendConformance(
  'redis through sentinel',
  () => connected(redisBackend({ sentinels: group.sentinels, masterName: group.masterName })),
  { ttlResolutionMs: 1, conditionalWrites: true },
);
