import { createHash } from 'node:crypto';
import { quoteIdentifier } from './identifiers.js';

/**
 * The SQL the backend runs, built once per backend from its checked table and schema.
 * Every key and value is a bind parameter; only the quoted identifiers are in the text.
 *
 * Keys are `bytea` (the UTF-8 of the key): `text` cannot hold NUL, and bytes compare
 * byte by byte whatever the database's collation, so a prefix is a plain range.
 * An entry is live while `expires_at` is NULL or in the future, by the server's clock,
 * so every instance agrees on it whatever its own clock says.
 */
export interface Statements {
  /** Names of the prepared hot statements, unique per table so backends may share a pool. */
  readonly names: { readonly get: string; readonly set: string; readonly delete: string };
  readonly get: string;
  readonly getMany: string;
  readonly set: string;
  readonly setMany: string;
  readonly delete: string;
  readonly deleteMany: string;
  /** Deletes up to $3 rows (live or expired) in [$1, $2); $2 NULL means no upper bound. */
  readonly clearBatch: string;
  /** Deletes up to $1 expired rows, skipping rows another session holds. */
  readonly cleanupBatch: string;
  /** Whether the table is there: `to_regclass` answers NULL instead of failing. */
  readonly tableExists: string;
  readonly createSchema: string;
  readonly createTable: (unlogged: boolean) => string;
  readonly createIndex: string;
  /** The advisory lock key serialising creation of this table across processes. */
  readonly lockKey: string;
}

const LIVE = '(expires_at IS NULL OR expires_at > now())';
/** `now() + ttl ms`, or NULL for no expiry, from a bigint parameter. */
const expiry = (param: string) =>
  `CASE WHEN ${param}::bigint IS NULL THEN NULL ELSE now() + ${param}::bigint * interval '1 millisecond' END`;
const UPSERT_TAIL =
  'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, stamp = EXCLUDED.stamp';

export function buildStatements(schema: string, table: string): Statements {
  const qualified = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  const id = createHash('sha1').update(qualified).digest('hex').slice(0, 12);
  const lock = createHash('sha1').update(`resilient-store:${qualified}`).digest();
  return {
    names: { get: `rs_get_${id}`, set: `rs_set_${id}`, delete: `rs_delete_${id}` },
    get: `SELECT value FROM ${qualified} WHERE key = $1 AND ${LIVE}`,
    // WITH ORDINALITY answers by position: duplicates and the caller's order for free.
    getMany:
      `SELECT u.i::int4 AS i, t.value FROM unnest($1::bytea[]) WITH ORDINALITY AS u(k, i) ` +
      `JOIN ${qualified} t ON t.key = u.k WHERE t.expires_at IS NULL OR t.expires_at > now()`,
    set:
      `INSERT INTO ${qualified} (key, value, expires_at, stamp) VALUES ($1, $2, ${expiry('$3')}, NULL) ` +
      UPSERT_TAIL,
    setMany:
      `INSERT INTO ${qualified} (key, value, expires_at, stamp) ` +
      `SELECT u.k, u.v, ${expiry('u.ttl')}, NULL FROM unnest($1::bytea[], $2::bytea[], $3::bigint[]) AS u(k, v, ttl) ` +
      UPSERT_TAIL,
    delete: `DELETE FROM ${qualified} WHERE key = $1 RETURNING ${LIVE} AS live`,
    deleteMany: `DELETE FROM ${qualified} WHERE key = ANY($1::bytea[]) RETURNING ${LIVE} AS live`,
    clearBatch:
      `DELETE FROM ${qualified} WHERE key IN (SELECT key FROM ${qualified} ` +
      `WHERE key >= $1 AND ($2::bytea IS NULL OR key < $2) LIMIT $3)`,
    cleanupBatch:
      `DELETE FROM ${qualified} WHERE key IN (SELECT key FROM ${qualified} ` +
      `WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
    tableExists: `SELECT to_regclass($1) IS NOT NULL AS present`,
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`,
    createTable: (unlogged) =>
      `CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${qualified} (` +
      'key bytea PRIMARY KEY, ' +
      'value bytea NOT NULL, ' +
      'expires_at timestamptz, ' +
      // The write stamp conditional (recovery) writes compare; NULL for a plain write.
      'stamp bigint)',
    createIndex:
      `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_expires_at`)} ` +
      `ON ${qualified} (expires_at) WHERE expires_at IS NOT NULL`,
    lockKey: lock.readBigInt64BE(0).toString(),
  };
}

/** The table as `to_regclass` wants it: the quoted, qualified name. */
export function regclassName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
