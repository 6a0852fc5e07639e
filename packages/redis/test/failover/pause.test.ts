import { setTimeout as sleep } from 'node:timers/promises';
import { startRedis } from '@resilient-store/testkit';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { expectBackOnRedis, expectCleanRun } from './harness/expectations.js';
import { PROFILES } from './harness/profiles.js';
import { ScenarioRun } from './harness/scenario.js';

describe.sequential('scenario 2: Redis paused (SIGSTOP) for 2 s under load, then resumed', () => {
  for (const profile of PROFILES) {
    it(`fails over, serves from memory within the deadline and returns (${profile.name} settings)`, async () => {
      const server = await startRedis();
      const run = await ScenarioRun.start({
        scenario: '2 redis paused',
        profile,
        redis: () => redisBackend({ url: server.url, ...profile.redis }),
      });
      await sleep(1_000);

      // Longer than every breaker and command timeout: a hung server, not a slow reply.
      await run.fault(() => server.pause());
      await run.events.waitFor('failover', { after: run.faultAt, timeoutMs: 5_000 });
      expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
      await sleep(Math.max(0, 2_000 - (performance.now() - (run.faultAt ?? 0))));

      await run.lift(() => server.resume());
      await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
      await sleep(1_500);

      const result = await run.finish();
      expectCleanRun(result, { failovers: 1, recoveries: 1 });
      expectBackOnRedis(result);
    }, 40_000);
  }
});
