import { ConfigError, isPlainObject } from '@resilient-store/core/backend';
import pg, { type Pool, type PoolConfig } from 'pg';
import type { PostgresConnection } from './options.js';
import type { PostgresSettings } from './settings.js';

/** Idle connections beyond the busy ones are closed after this long. */
const IDLE_TIMEOUT_MS = 10_000;

const WAYS = ['connectionString', 'poolConfig', 'pool'] as const;

/** The pool the backend drives, and whether `close()` ends it. */
export interface PoolHandle {
  readonly pool: Pool;
  readonly owned: boolean;
}

/**
 * Opens (or adopts) the pool. A pool the backend creates gets its timeouts (the
 * client-side query deadline is the backend's own, query-runner.ts): the
 * server-side `statement_timeout` (sent when each
 * connection starts, so it costs no round trip), the connection timeout (which also
 * bounds the wait for a free connection) and its size. Settings in `poolConfig` win.
 * Nothing connects yet: pg opens connections on the first query.
 */
export function openPool(connection: PostgresConnection, settings: PostgresSettings): PoolHandle {
  if (!isPlainObject(connection)) {
    throw new ConfigError('connection', 'must be { connectionString } | { poolConfig } | { pool }');
  }
  const given = Object.keys(connection).filter(
    (key) => (connection as Record<string, unknown>)[key] !== undefined,
  );
  const unknown = given.find((key) => !(WAYS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw new ConfigError(unknown, `unknown connection option (known: ${WAYS.join(', ')})`);
  }
  if (given.length !== 1) {
    throw new ConfigError('connection', `give exactly one of ${WAYS.join(', ')}`);
  }
  if ('pool' in connection) {
    if (!(connection.pool instanceof pg.Pool)) {
      throw new ConfigError('pool', 'must be a pg Pool');
    }
    return { pool: connection.pool, owned: false };
  }
  let base: PoolConfig;
  if ('connectionString' in connection) {
    const url = connection.connectionString;
    if (typeof url !== 'string' || url.length === 0) {
      throw new ConfigError('connectionString', 'must be a non-empty string');
    }
    base = { connectionString: url };
  } else {
    if (!isPlainObject(connection.poolConfig)) {
      throw new ConfigError('poolConfig', 'must be an object of pg pool settings');
    }
    base = connection.poolConfig;
  }
  const pool = new pg.Pool({
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: settings.statementTimeoutMs,
    application_name: settings.applicationName,
    // Lets the kernel notice a peer that vanished without a FIN (a cut network).
    keepAlive: true,
    ...base,
  });
  return { pool, owned: true };
}
