import { startRedis } from '@resilient-store/testkit';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { PROFILES } from './fixtures/profiles.js';

describe.sequential('scenario 1: Redis killed (SIGKILL) under load, restarted on the same port', () => {
  for (const profile of PROFILES) {
    it(`serves from memory throughout and returns to Redis (${profile.name} settings)`, async () => {
      const server = await startRedis();
      const run = await ScenarioRun.start({
        scenario: '1 redis killed',
        profile,
        primary: () => redisBackend({ url: server.url, ...profile.redis }),
      });
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'redis' });
      await expectOneOutage(run, {
        inject: () => server.kill(),
        heal: () => server.restart(),
      });
    }, 40_000);
  }
});
