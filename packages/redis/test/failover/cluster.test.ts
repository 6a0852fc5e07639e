import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisCluster } from '@resilient-store/testkit';
import {
  expectBackOnPrimary,
  expectCleanRun,
  expectHistoryClean,
  operationTimeoutOf,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { PROFILES } from './fixtures/profiles.js';

/** How long the fallback must have been idle before the store counts as back on the cluster. */
const QUIET_MS = 1_000;
/** Generous bound for the client to follow the promotion (topology refresh, reconnection). */
const RETURN_WITHIN_MS = 5_000;
/** How long the load runs on the cluster after a recovery settled, as in the other scenarios. */
const SETTLED_LOAD_MS = 1_000;

describe.sequential('scenario 5: a Redis Cluster master killed (SIGKILL) under load', () => {
  for (const profile of PROFILES) {
    it(`serves the lost slots from memory and returns to the cluster after promotion (${profile.name} settings)`, async () => {
      const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
      const run = await ScenarioRun.start({
        scenario: '5 cluster master killed',
        profile,
        primary: () => redisBackend({ cluster: cluster.startupNodes, ...profile.redis }),
        // No event marks the moment the promoted replica starts serving the lost slots, so
        // read-your-writes is asserted up to the kill and counted after it.
        rywCheckedUntil: 'fault',
        // Every operation through the history checker: no stale read after recovery.
        recordHistory: true,
      });
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'redis' });
      await sleep(1_000);

      // killMaster resolves once a replica owns the slots and the cluster reports ok: that
      // is when the fault counts as lifted.
      let promotion: Promise<unknown> = Promise.resolve();
      await run.fault(() => {
        promotion = cluster.killMaster(0, 20_000);
      });
      await run.lift(() => promotion);

      // Back on the cluster: the fallback has answered nothing for QUIET_MS.
      const giveUpAt = performance.now() + RETURN_WITHIN_MS + QUIET_MS;
      while (performance.now() - (run.served.lastServedAt('memory') ?? 0) < QUIET_MS) {
        if (performance.now() > giveUpAt) break;
        await sleep(100);
      }
      // After a recovery, leave Redis load of its own past the moment the recovery settled
      // (one operation timeout later), which is what expectBackOnPrimary looks at.
      const recoveredAt = run.events.of('recovered').at(-1)?.at;
      if (recoveredAt !== undefined) {
        const settledFor = performance.now() - (recoveredAt + operationTimeoutOf(profile));
        await sleep(Math.max(0, SETTLED_LOAD_MS - settledFor));
      }

      const lastFallback = run.served.lastServedAt('memory') ?? 0;
      const fallbackMs = Math.round(lastFallback - (run.faultAt ?? 0));
      const result = await run.finish(
        `${run.events.attemptErrors.length} attempts failed over to memory; ` +
          `memory served lost slots until +${fallbackMs} ms after the kill; ` +
          `promotion seen at +${Math.round((run.liftedAt ?? 0) - (run.faultAt ?? 0))} ms`,
      );
      // Losing a master fails the whole store over: the breaker guards the cluster as one
      // backend, and a third of the keys failing opens it.
      expectCleanRun(result, { failovers: 1, recoveries: 1 });
      expectBackOnPrimary(result);
      expectHistoryClean(result);
      // The lost slots really went to the fallback, and came back to the cluster.
      expect(result.served.counts(run.faultAt ?? 0, run.liftedAt).memory ?? 0).toBeGreaterThan(0);
      expect(lastFallback - (run.liftedAt ?? 0)).toBeLessThan(RETURN_WITHIN_MS);
      expect(performance.now() - lastFallback, 'fallback idle at the end').toBeGreaterThan(
        QUIET_MS,
      );
    }, 60_000);
  }
});
