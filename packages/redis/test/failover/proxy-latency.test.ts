import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BREAKER } from '@resilient-store/core';
import {
  expectCleanRun,
  expectHistoryClean,
  expectOneOutage,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

describe.sequential('scenario 4b/4c: latency between the store and Redis', () => {
  it('4b: 50 ms of latency, below the breaker timeout, changes nothing: Redis serves every operation', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4b proxy latency 50 ms',
      profile: DEFAULTS,
      primary: () => redisBackend({ url: proxy.url() }),
      // Every operation through the history checker: no stale read after recovery.
      recordHistory: true,
    });
    await sleep(500);

    // Each direction: a round trip gains 100 ms, still well inside the 250 ms breaker timeout.
    await run.fault(() => proxy.latency(50));
    await sleep(2_000);
    await run.lift(() => proxy.heal());
    await sleep(500);

    const result = await run.finish();
    expectCleanRun(result, { failovers: 0, recoveries: 0 });
    expect(result.summary.breakerTransitions, 'breaker transitions').toBe(0);
    expect(result.summary.failedAttempts, 'attempts failed over').toBe(0);
    // Redis answered the load and the history's final reads (one per key, after the load).
    const history = result.history!;
    const finalReads = history.recorded.ops.filter((op) => op.invokedAt >= history.convergedAfter);
    expect(result.served.counts()).toEqual({ redis: result.summary.ops + finalReads.length });
    expectHistoryClean(result);
    // The latency was really there: operations under it took about one delayed round
    // trip (100 ms), never memory's sub-millisecond answer. The fastest seen on a loaded
    // 2-core machine was 88.9 ms (timers and the load's own clock reads), hence 75.
    const slowed = run.load.between((run.faultAt ?? 0) + 200, (run.liftedAt ?? 0) - 200);
    expect(slowed.length).toBeGreaterThan(0);
    expect(Math.min(...slowed.map((r) => r.latencyMs))).toBeGreaterThanOrEqual(75);
  }, 30_000);

  it('4c: 600 ms of latency, above the breaker timeout, fails over; removing it brings Redis back', async () => {
    // A 1.2 s round trip leaves the socket silent past its 1 s timeout: the connection is
    // declared dead, which fails over at once.
    await latencyOutage(600, '4c proxy latency 600 ms');
  }, 40_000);

  it('4c (slow, not silent): 300 ms of latency also fails over and returns, through the breaker alone', async () => {
    // A 600 ms round trip keeps replies arriving inside the socket timeout, so the
    // connection stays up: only the breaker's error rate over its rolling window can open it.
    await latencyOutage(300, '4c proxy latency 300 ms (breaker only)');
  }, 60_000);
});

/**
 * Latency above the breaker timeout under load: fail over, then recover once it is
 * removed. The failover may take up to the breaker's rolling window (10 s by default).
 */
async function latencyOutage(latencyMs: number, scenario: string): Promise<void> {
  expect(latencyMs).toBeGreaterThan(DEFAULT_BREAKER.timeout);
  const { proxy } = await startProxiedRedis();
  const run = await ScenarioRun.start({
    scenario,
    profile: DEFAULTS,
    primary: () => redisBackend({ url: proxy.url() }),
    recordHistory: true,
  });
  await expectOneOutage(run, {
    inject: () => proxy.latency(latencyMs),
    heal: () => proxy.heal(),
    failoverWithinMs: DEFAULT_BREAKER.rollingCountTimeout + 5_000,
  });
}
