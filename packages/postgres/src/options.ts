import type { Pool, PoolConfig } from 'pg';

/** How the backend reaches PostgreSQL: exactly one of these. */
export type PostgresConnection =
  /** A connection URL, `postgres://user:password@host:port/database`; the backend owns its pool. */
  | { readonly connectionString: string }
  /** pg pool settings; the backend creates and owns the pool, adding its timeouts where unset. */
  | { readonly poolConfig: PoolConfig }
  /** A pool the caller created; `close()` never ends it and its connection settings are left alone. */
  | { readonly pool: Pool };

/** Tuning of the backend; every field is optional. */
export interface PostgresBackendOptions {
  /** Backend name, unique within a store; used in events and metric labels. Default `'postgres'`. */
  name?: string;
  /** Table holding the entries. Default {@link DEFAULT_TABLE}. A plain identifier, at most 55 characters. */
  table?: string;
  /** Schema of the table. Default `'public'`. A plain identifier, at most 63 characters. */
  schema?: string;
  /** Create the schema, table and index when absent. Default `true`. */
  createTable?: boolean;
  /** Create the table `UNLOGGED` (faster writes, emptied by a PostgreSQL crash). Only applies when creating it. Default `false`. */
  unlogged?: boolean;
  /** Client-side deadline of one query, in ms; a query past it is abandoned. Default {@link DEFAULT_QUERY_TIMEOUT_MS}. */
  queryTimeoutMs?: number;
  /** Server-side `statement_timeout` of the backend's own pool, in ms. Default {@link DEFAULT_STATEMENT_TIMEOUT_MS}. */
  statementTimeoutMs?: number;
  /** Deadline for opening one connection, or for waiting for a free pooled one, in ms. Default {@link DEFAULT_CONNECTION_TIMEOUT_MS}. */
  connectionTimeoutMs?: number;
  /** Connections in the backend's own pool. Default {@link DEFAULT_POOL_SIZE}. */
  poolSize?: number;
  /** How often expired rows are removed, in ms. Default {@link DEFAULT_CLEANUP_INTERVAL_MS}. */
  cleanupIntervalMs?: number;
  /** Rows removed per cleanup statement. Default {@link DEFAULT_CLEANUP_BATCH_SIZE}. */
  cleanupBatchSize?: number;
  /** How often an unavailable backend checks whether PostgreSQL is back, in ms. Default {@link DEFAULT_PROBE_INTERVAL_MS}. */
  probeIntervalMs?: number;
  /** Largest value accepted, in bytes. Default {@link DEFAULT_MAX_VALUE_BYTES}; at most {@link POSTGRES_MAX_VALUE_BYTES}. */
  maxValueBytes?: number;
  /** `application_name` of the backend's own connections, to find them in `pg_stat_activity`. Default `'resilient-store'`. */
  applicationName?: string;
}

/**
 * A PostgreSQL backend as plain data, what `createStore` takes as
 * `{ type: 'postgres', url, … }`: a connection URL and the backend's options.
 */
export interface PostgresBackendConfig extends PostgresBackendOptions {
  /** `postgres://user:password@host:port/database`; the backend owns its pool. */
  url: string;
}

export const DEFAULT_BACKEND_NAME = 'postgres';

/** Says what it holds and cannot clash with an application's own tables by accident. */
export const DEFAULT_TABLE = 'resilient_store_cache';

export const DEFAULT_SCHEMA = 'public';

/**
 * A cache read by primary key answers in well under a millisecond on a healthy server.
 * Past half a second the store has long failed over (its breaker timeout is 250 ms);
 * the query is abandoned so its connection cannot hold a caller any longer.
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 500;

/**
 * Below the query timeout, so the server cancels a stuck statement (a row lock held by
 * another session, a slow disk) before the client gives up on it: the connection then
 * stays usable instead of being dropped, and the server stops working on it.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 400;

/**
 * Opening a connection (TCP, TLS, authentication) takes a few ms locally and tens across
 * regions. One second also bounds how long an operation waits for a free pooled connection.
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 1_000;

/**
 * pg's default too. Each connection is a server process; ten per service instance keeps
 * a fleet of instances well inside a default `max_connections` of 100 only for small
 * fleets, so size it against the server (see the README).
 */
export const DEFAULT_POOL_SIZE = 10;

/** Expired rows are invisible to reads at once; removing them is only about space. */
export const DEFAULT_CLEANUP_INTERVAL_MS = 60_000;

/** Small enough that one delete holds its row locks for milliseconds. */
export const DEFAULT_CLEANUP_BATCH_SIZE = 1_000;

/** At most a second between PostgreSQL coming back and the backend serving again. */
export const DEFAULT_PROBE_INTERVAL_MS = 1_000;

/**
 * A value is sent as one bind parameter and read back as hex text (twice its size):
 * past a few MiB the copy and the WAL volume cost more than a cache entry is worth.
 */
export const DEFAULT_MAX_VALUE_BYTES = 8 * 1024 * 1024;

/** Well under PostgreSQL's 1 GiB field limit, which the hex form of a reply must also fit. */
export const POSTGRES_MAX_VALUE_BYTES = 256 * 1024 * 1024;

/**
 * Keys are the primary key: a btree entry must fit a third of an 8 KiB page (2704 bytes
 * with its header). 2048 bytes leaves room, and no sane cache key comes close.
 */
export const POSTGRES_MAX_KEY_BYTES = 2048;

export const DEFAULT_APPLICATION_NAME = 'resilient-store';
