import type { QueryConfig } from 'pg';

/** A query with pg's per-query client-side timeout, which its typings do not list. */
export type TimedQuery = QueryConfig & { query_timeout: number };
