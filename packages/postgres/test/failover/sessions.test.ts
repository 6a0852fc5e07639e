import { startPostgres } from '@resilient-store/testkit';
import {
  DEFAULT_STORE_PROFILE,
  expectCleanRun,
  expectOneOutage,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATEMENT_TIMEOUT_MS,
  DEFAULT_TABLE,
  type PostgresBackend,
  postgresBackend,
} from '../../src/index.js';
import { pollUntil, withClient } from '../helpers.js';

/** Builds the backend for `ScenarioRun` and keeps a handle on it for the test. */
function capture(make: () => PostgresBackend): {
  make: () => PostgresBackend;
  get(): PostgresBackend;
} {
  let made: PostgresBackend | undefined;
  return {
    make: () => {
      made = make();
      return made;
    },
    get: () => {
      if (made === undefined) throw new Error('the backend was not built');
      return made;
    },
  };
}

describe('[postgres, memory] when sessions get in the way', () => {
  it('pool exhausted by clients held elsewhere: fails over, returns once they are released', async () => {
    const server = await startPostgres();
    const backend = capture(() =>
      postgresBackend({ poolConfig: { connectionString: server.url } }, { poolSize: 4 }),
    );
    const run = await ScenarioRun.start({
      scenario: 'postgres pool exhausted',
      profile: DEFAULT_STORE_PROFILE,
      primary: backend.make,
    });
    const held: pg.PoolClient[] = [];
    await expectOneOutage(run, {
      inject: async () => {
        // Take every connection of the pool, as a forgotten release() elsewhere would.
        const { pool } = backend.get();
        for (let i = 0; i < 4; i++) held.push(await pool.connect());
      },
      heal: () => {
        for (const client of held.splice(0)) client.release();
      },
      notes: (event) => `failover reason: ${event.payload.reason}`,
    });
  }, 60_000);

  it('a row lock held by another session: the statement timeout fires, the write fails over, no session leaks', async () => {
    const server = await startPostgres();
    const backend = capture(() =>
      postgresBackend({ connectionString: server.url }, { poolSize: 10 }),
    );
    const run = await ScenarioRun.start({
      scenario: 'postgres row locked',
      profile: DEFAULT_STORE_PROFILE,
      primary: backend.make,
    });
    const direct = backend.get();
    const lockedKey = 'row-lock:held';
    await direct.set(lockedKey, 'before', undefined);

    const locker = new pg.Client({ connectionString: server.url });
    await locker.connect();
    try {
      await run.fault(async () => {
        await locker.query('BEGIN');
        await locker.query(`SELECT 1 FROM "${DEFAULT_TABLE}" WHERE key = $1 FOR UPDATE`, [
          Buffer.from(lockedKey),
        ]);
      });
      // Through the store: answered (by memory) within the deadline, no error.
      for (let i = 0; i < 3; i++) await run.store.set(lockedKey, `during ${i}`);
      // Straight to the backend: the server cancels the statement at its timeout.
      const started = performance.now();
      await expect(direct.set(lockedKey, 'direct', undefined)).rejects.toThrow(/statement timeout/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(DEFAULT_STATEMENT_TIMEOUT_MS - 50);
      // Other keys never stopped being served by PostgreSQL.
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'postgres' });
      expect(direct.availability.isAvailable()).toBe(true);

      // No session of ours is left waiting on the lock, and the pool is not drained.
      const waiting = () =>
        withClient(server.url, async (client) => {
          const result = await client.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'resilient-store' AND wait_event_type = 'Lock'",
          );
          return result.rows[0]?.n ?? -1;
        });
      expect(await pollUntil(async () => (await waiting()) === 0, 5_000)).toBe(true);
      // Under the load's 100 operations in flight the pool stays within its size.
      expect(direct.pool.totalCount).toBeLessThanOrEqual(10);
    } finally {
      await run.lift(() => locker.query('ROLLBACK'));
      await locker.end();
    }
    await direct.set(lockedKey, 'after', undefined);
    expect(String(await direct.get(lockedKey))).toBe('after');

    const result = await run.finish();
    // One locked row is one slow key, not a sick backend: the breaker stays closed.
    expectCleanRun(result, { failovers: 0, recoveries: 0 });
  }, 60_000);
});
