import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_STARTUP_GRACE_MS } from '@resilient-store/core';
import { startPostgres } from '@resilient-store/testkit';
import {
  DEFAULT_STORE_PROFILE,
  expectCleanRun,
  expectOneOutage,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TABLE, postgresBackend } from '../../src/index.js';
import { pollUntil, untilAvailable, withClient } from '../helpers.js';
import { startPostgresWithPasswords } from './fixtures.js';

describe('[postgres, memory] when PostgreSQL is there but wrong', () => {
  it('the table dropped under a running store: fails over with the cause, recreates the table, returns', async () => {
    const server = await startPostgres();
    const run = await ScenarioRun.start({
      scenario: 'postgres table dropped',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => postgresBackend({ connectionString: server.url }),
    });
    const tableExists = () =>
      withClient(server.url, async (client) => {
        const result = await client.query<{ present: boolean }>(
          'SELECT to_regclass($1) IS NOT NULL AS present',
          [DEFAULT_TABLE],
        );
        return result.rows[0]?.present === true;
      });
    const { failover } = await expectOneOutage(run, {
      inject: () =>
        withClient(server.url, (client) => client.query(`DROP TABLE "${DEFAULT_TABLE}"`)),
      // Nothing to heal by hand: the backend's probe creates the table again.
      heal: async () => {
        expect(await pollUntil(tableExists, 10_000)).toBe(true);
      },
      notes: (event) => `failover reason: ${event.payload.reason}`,
    });
    expect(failover.payload.reason).toMatch(/resilient_store_cache.*(missing|does not exist)/);
  }, 60_000);

  it('a wrong password: serves from memory, says why once, and keeps probing without serving', async () => {
    const server = await startPostgresWithPasswords();
    await withClient(server.url, (client) =>
      client.query("CREATE ROLE app LOGIN PASSWORD 'right-secret'"),
    );
    const at = `${server.host}:${server.port}/${server.database}`;
    const run = await ScenarioRun.start({
      scenario: 'postgres wrong password',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => postgresBackend({ connectionString: `postgres://app:wrong@${at}` }),
      awaitReady: false,
    });
    await run.fault();
    const failover = await run.events.waitFor('failover', {
      timeoutMs: DEFAULT_STARTUP_GRACE_MS + 3_000,
    });
    expect(failover.payload.reason).toMatch(/password authentication failed for user "app"/);
    await sleep(2_000);
    expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
    const result = await run.finish(`failover reason: ${failover.payload.reason}`);
    expectCleanRun(result, { failovers: 1, recoveries: 0 });

    // The same server and user with the right password works: it was the password.
    const right = postgresBackend({ connectionString: `postgres://app:right-secret@${at}` });
    try {
      await withClient(server.url, (client) =>
        client.query('GRANT CREATE ON SCHEMA public TO app'),
      );
      await untilAvailable(right.availability);
      await right.set('k', 'v', undefined);
      expect(String(await right.get('k'))).toBe('v');
    } finally {
      await right.close();
    }
  }, 60_000);
});
