import { setTimeout as sleep } from 'node:timers/promises';
import { expectCleanRun, expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_TIMEOUT_MS, memcachedBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';
import { startProxiedMemcached } from './fixtures/proxied-memcached.js';

describe.sequential('scenario 4b/4c: latency between the store and memcached', () => {
  it('4b: 50 ms of latency, below the operation timeout, changes nothing: memcached serves every operation', async () => {
    const { proxy, address } = await startProxiedMemcached();
    const run = await ScenarioRun.start({
      scenario: '4b memcached proxy latency 50 ms',
      profile: DEFAULTS,
      primary: () => memcachedBackend({ servers: [address] }),
    });
    await sleep(500);

    // Each direction: a round trip gains 100 ms, well inside the 300 ms operation timeout.
    await run.fault(() => proxy.latency(50));
    await sleep(2_000);
    await run.lift(() => proxy.heal());
    await sleep(500);

    const result = await run.finish();
    expectCleanRun(result, { failovers: 0, recoveries: 0 });
    expect(result.summary.breakerTransitions, 'breaker transitions').toBe(0);
    expect(result.summary.failedAttempts, 'attempts failed over').toBe(0);
    expect(result.served.counts()).toEqual({ memcached: result.summary.ops });
    const slowed = run.load.between((run.faultAt ?? 0) + 200, (run.liftedAt ?? 0) - 200);
    expect(slowed.length).toBeGreaterThan(0);
    // Nominally 100 ms; timers may fire a millisecond or so early against performance.now(),
    // and an operation without the latency takes under 20 ms here.
    expect(Math.min(...slowed.map((r) => r.latencyMs))).toBeGreaterThanOrEqual(75);
  }, 30_000);

  it('4c: 400 ms of latency, above the operation timeout, fails over; removing it brings memcached back', async () => {
    const { proxy, address } = await startProxiedMemcached();
    expect(800).toBeGreaterThan(DEFAULT_OPERATION_TIMEOUT_MS);
    const run = await ScenarioRun.start({
      scenario: '4c memcached proxy latency 400 ms',
      profile: DEFAULTS,
      primary: () => memcachedBackend({ servers: [address] }),
    });
    // An 800 ms round trip: the first overdue reply drops the connection (unavailable at
    // once), and no reconnection completes its handshake inside the connect timeout.
    await expectOneOutage(run, {
      inject: () => proxy.latency(400),
      heal: () => proxy.heal(),
    });
  }, 40_000);
});
