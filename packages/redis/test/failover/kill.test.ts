import { startRedis } from '@resilient-store/testkit';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { expectOneOutage } from './harness/outage.js';
import { PROFILES } from './harness/profiles.js';
import { ScenarioRun } from './harness/scenario.js';

describe.sequential('scenario 1: Redis killed (SIGKILL) under load, restarted on the same port', () => {
  for (const profile of PROFILES) {
    it(`serves from memory throughout and returns to Redis (${profile.name} settings)`, async () => {
      const server = await startRedis();
      const run = await ScenarioRun.start({
        scenario: '1 redis killed',
        profile,
        redis: () => redisBackend({ url: server.url, ...profile.redis }),
      });
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'redis' });
      await expectOneOutage(run, {
        inject: () => server.kill(),
        heal: () => server.restart(),
      });
    }, 40_000);
  }
});
