import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_STARTUP_GRACE_MS } from '@resilient-store/core';
import { startPostgres } from '@resilient-store/testkit';
import {
  DEFAULT_STORE_PROFILE,
  expectBackOnPrimary,
  expectCleanRun,
  expectOneOutage,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { postgresBackend } from '../../src/index.js';
import { startProxiedPostgres } from './fixtures.js';

describe('[postgres, memory] when the network or the server is not there', () => {
  it('black-holed through the proxy: fails over while nothing answers, returns once traffic flows', async () => {
    const { proxy, url } = await startProxiedPostgres();
    const run = await ScenarioRun.start({
      scenario: 'postgres black-holed',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => postgresBackend({ connectionString: url }),
    });
    await expectOneOutage(run, {
      inject: () => proxy.blackhole(),
      heal: () => proxy.heal(),
      notes: (event) => `failover reason: ${event.payload.reason}`,
    });
  }, 60_000);

  it('absent at startup: starts on memory, reports the outage once, moves to PostgreSQL when it appears', async () => {
    // kill() keeps the port and the data directory for restart().
    const server = await startPostgres();
    await server.kill();
    const run = await ScenarioRun.start({
      scenario: 'postgres absent at startup',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => postgresBackend({ connectionString: server.url }),
      awaitReady: false,
    });
    await run.fault();
    const failover = await run.events.waitFor('failover', {
      timeoutMs: DEFAULT_STARTUP_GRACE_MS + 3_000,
    });
    expect(failover.payload.reason).toMatch(/ECONNREFUSED/);
    expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });

    await run.lift(() => server.restart());
    await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
    expect(run.store.health()).toMatchObject({ status: 'ok', active: 'postgres' });
    await sleep(1_500);

    const result = await run.finish(`failover reason: ${failover.payload.reason}`);
    expectCleanRun(result, { failovers: 1, recoveries: 1 });
    expectBackOnPrimary(result);
  }, 60_000);
});
