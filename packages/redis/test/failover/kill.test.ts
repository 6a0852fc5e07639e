import { setTimeout as sleep } from 'node:timers/promises';
import { startRedis } from '@resilient-store/testkit';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { expectBackOnRedis, expectCleanRun } from './harness/expectations.js';
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
      await sleep(1_000);

      await run.fault(() => server.kill());
      await run.events.waitFor('failover', { after: run.faultAt, timeoutMs: 5_000 });
      expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
      await sleep(1_500);

      await run.lift(() => server.restart());
      await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
      await sleep(1_500);

      const result = await run.finish();
      expectCleanRun(result, { failovers: 1, recoveries: 1 });
      expectBackOnRedis(result);
    }, 40_000);
  }
});
