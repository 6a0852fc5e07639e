import { startRedis } from '@resilient-store/testkit';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { PROFILES } from './fixtures/profiles.js';

describe.sequential('scenario 2: Redis paused (SIGSTOP) for 2 s under load, then resumed', () => {
  for (const profile of PROFILES) {
    it(`fails over, serves from memory within the deadline and returns (${profile.name} settings)`, async () => {
      const server = await startRedis();
      const run = await ScenarioRun.start({
        scenario: '2 redis paused',
        profile,
        primary: () => redisBackend({ url: server.url, ...profile.redis }),
        // Every operation through the history checker: no stale read after recovery.
        recordHistory: true,
      });
      await expectOneOutage(run, {
        // Longer than every breaker and command timeout: a hung server, not a slow reply.
        inject: () => server.pause(),
        heal: () => server.resume(),
      });
    }, 40_000);
  }
});
