import type { Pool } from 'pg';
import type { PostgresSettings } from './settings.js';
import { regclassName, type Statements } from './statements.js';
import type { TimedQuery } from './timed-query.js';

/** SQLSTATEs of a concurrent CREATE … IF NOT EXISTS that lost the race (unique_violation, duplicate_table/object/schema). */
const LOST_CREATE_RACE = new Set(['23505', '42P07', '42710', '42P06']);

/**
 * Makes sure the table is there. With `createTable`, creates schema, table and expiry
 * index under a transaction-scoped advisory lock, so instances starting together queue
 * instead of racing in the catalog (`IF NOT EXISTS` alone can still fail with a
 * unique violation when two sessions create the same table at once); a lost race that
 * slips through anyway counts as success. Without it, a missing table is an error.
 */
export async function ensureTable(
  pool: Pool,
  statements: Statements,
  settings: PostgresSettings,
): Promise<void> {
  const table = regclassName(settings.schema, settings.table);
  const client = await pool.connect();
  // Every step bounded like any of the backend's queries: a server that stops answering
  // mid-setup fails the setup (the backend stays unavailable and probes) instead of hanging it.
  const run = (text: string) => {
    const query: TimedQuery = { text, query_timeout: settings.queryTimeoutMs };
    return client.query(query);
  };
  let failed: unknown;
  try {
    const exists: TimedQuery = {
      text: statements.tableExists,
      values: [table],
      query_timeout: settings.queryTimeoutMs,
    };
    const present = await client.query<{ present: boolean }>(exists);
    if (present.rows[0]?.present === true) return;
    if (!settings.createTable) {
      throw new Error(`table ${table} does not exist and createTable is false`);
    }
    await run('BEGIN');
    try {
      // Waiting for another instance's creation is expected here: allow the connection timeout.
      await run(`SET LOCAL statement_timeout = ${settings.connectionTimeoutMs}`);
      await run(`SELECT pg_advisory_xact_lock(${statements.lockKey})`);
      if (settings.schema !== 'public') await run(statements.createSchema);
      await run(statements.createTable(settings.unlogged));
      await run(statements.createIndex);
      await run('COMMIT');
    } catch (error) {
      await run('ROLLBACK').catch(() => {});
      if (!LOST_CREATE_RACE.has((error as { code?: string }).code ?? '')) throw error;
    }
  } catch (error) {
    failed = error;
    throw error;
  } finally {
    // A connection that failed mid-way may be in any state: drop it rather than reuse it.
    client.release(failed instanceof Error ? failed : undefined);
  }
}
