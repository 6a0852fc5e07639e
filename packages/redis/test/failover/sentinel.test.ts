import { startRedisSentinel } from '@resilient-store/testkit';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { PROFILES } from './fixtures/profiles.js';

describe.sequential('scenario 7: the master behind Redis Sentinel killed (SIGKILL) under load', () => {
  for (const profile of PROFILES) {
    it(`serves from memory until the sentinels promote the replica, then returns to it (${profile.name} settings)`, async () => {
      const group = await startRedisSentinel({ masterName: 'cache' });
      const [first, replica] = group.nodes;
      const run = await ScenarioRun.start({
        scenario: '7 sentinel master killed',
        profile,
        primary: () =>
          redisBackend({ sentinels: group.sentinels, masterName: 'cache', ...profile.redis }),
        // Every operation through the history checker: no stale read after recovery.
        recordHistory: true,
      });
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'redis' });

      // The fault lasts until every sentinel names the promoted replica: that is when it
      // counts as lifted, and the store must find the new master on its own.
      let promotion: Promise<{ promoted: unknown }> | undefined;
      await expectOneOutage(run, {
        inject: () => {
          promotion = group.killMaster(20_000);
        },
        heal: () => promotion,
        faultMs: 0,
        notes: () =>
          `promotion seen at +${Math.round((run.liftedAt ?? 0) - (run.faultAt ?? 0))} ms`,
      });
      expect((await promotion)?.promoted).toBe(replica);
      // expectOneOutage checked that Redis serves again: the promoted replica, the only node left.
      expect(first?.pid).toBeUndefined();
    }, 60_000);
  }
});
