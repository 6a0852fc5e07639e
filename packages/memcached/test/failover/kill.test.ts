import { startMemcached } from '@resilient-store/testkit';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { memcachedBackend } from '../../src/index.js';
import { PROFILES } from './fixtures/profiles.js';

describe.sequential('scenario 1: memcached killed (SIGKILL) under load, restarted on the same port', () => {
  for (const profile of PROFILES) {
    it(`serves from memory throughout and returns to memcached (${profile.name} settings)`, async () => {
      const server = await startMemcached();
      const run = await ScenarioRun.start({
        scenario: '1 memcached killed',
        profile,
        primary: () => memcachedBackend({ servers: [server.url], ...profile.memcached }),
      });
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'memcached' });
      await expectOneOutage(run, {
        inject: () => server.kill(),
        heal: () => server.restart(),
      });
    }, 40_000);
  }
});
