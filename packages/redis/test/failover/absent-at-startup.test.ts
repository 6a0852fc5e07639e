import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_STARTUP_GRACE_MS } from '@resilient-store/core';
import { startRedis } from '@resilient-store/testkit';
import {
  expectBackOnPrimary,
  expectCleanRun,
  expectHistoryClean,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';

describe('scenario 3: Redis absent at startup, started later', () => {
  it('starts degraded on memory, reports the outage once, and moves to Redis when it appears', async () => {
    // A port that belongs to a Redis that is not running: kill() keeps the port and the data
    // directory for restart(), where stop() would release both.
    const server = await startRedis();
    await server.kill();

    const run = await ScenarioRun.start({
      scenario: '3 redis absent at startup',
      profile: DEFAULTS,
      primary: () => redisBackend({ url: server.url }),
      awaitReady: false,
      // Every operation through the history checker: no stale read after recovery.
      recordHistory: true,
    });
    // The outage began with the store; there is no later moment of injection.
    await run.fault();
    expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });

    // Past the startup grace period the absence is reported as one failover.
    const failover = await run.events.waitFor('failover', {
      timeoutMs: DEFAULT_STARTUP_GRACE_MS + 2_000,
    });
    expect(failover.payload.reason).toMatch(/unreachable at startup.*ECONNREFUSED/);
    await sleep(500);
    expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });

    await run.lift(() => server.restart());
    await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
    expect(run.store.health()).toMatchObject({ status: 'ok', active: 'redis' });
    await sleep(1_500);

    const result = await run.finish(`failover reason: ${failover.payload.reason}`);
    expect(result.healthAtStart).toMatchObject({ status: 'degraded', active: 'memory' });
    expectCleanRun(result, { failovers: 1, recoveries: 1 });
    expectBackOnPrimary(result);
    expectHistoryClean(result);
  }, 30_000);
});
