import { startMemcached } from '@resilient-store/testkit';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, it } from 'vitest';
import { memcachedBackend } from '../../src/index.js';
import { PROFILES } from './fixtures/profiles.js';

describe.sequential('scenario 2: memcached paused (SIGSTOP) for 2 s under load, then resumed', () => {
  for (const profile of PROFILES) {
    it(`fails over, serves from memory within the deadline and returns (${profile.name} settings)`, async () => {
      const server = await startMemcached();
      const run = await ScenarioRun.start({
        scenario: '2 memcached paused',
        profile,
        primary: () => memcachedBackend({ servers: [server.url], ...profile.memcached }),
      });
      await expectOneOutage(run, {
        // The kernel still accepts connections for a stopped process; only replies stop.
        inject: () => server.pause(),
        heal: () => server.resume(),
      });
    }, 40_000);
  }
});
