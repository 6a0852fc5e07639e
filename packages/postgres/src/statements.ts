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
  /**
   * Conditional upsert over `unnest($1 keys, $2 values, $3 ttls, $4 stamps)` (keys
   * distinct): writes a row only over an absent or expired one, or one whose stamp is
   * lower; returns the keys it wrote.
   */
  readonly setIfOlder: string;
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

/** The largest stamp (2^53 - 1): a header above it is not one the store wrote. */
const MAX_STAMP = '9007199254740991';

/**
 * SQL for the stamp in the envelope header of the bytea `v`, or NULL when `v` is not
 * an envelope the store wrote — the same answers as core's `stampOf` (storage-format.md):
 *
 *   text v2    0x03 + 16 decimal digits (the stamp), then at least one byte
 *   text v1    0x02 + 13 decimal digits (ms; the stamp is ms × 1000), then at least one byte
 *   binary v2  0xa2, kind 0|1|2 (2: tombstone), 8-byte big-endian stamp
 *   binary v1  0xa1, kind 0|1, 8-byte big-endian ms (the stamp is ms × 1000)
 *
 * Nested CASEs, not AND: SQL does not promise to evaluate AND's operands in order, and
 * `get_byte` and the casts must only see bytes already known to fit.
 */
function headerStamp(v: string): string {
  const bounded = (number: string) =>
    `CASE WHEN ${number} BETWEEN 0 AND ${MAX_STAMP} THEN (${number})::bigint END`;
  // `scale`: 1000 for a version-1 header (ms), 1 for a stamp.
  const decimal = (count: number, scale: number) => {
    const field = `encode(substring(${v} from 2 for ${count}), 'escape')`;
    return (
      `CASE WHEN length(${v}) > ${count + 1} AND ${field} ~ '^[0-9]{${count}}$' ` +
      `THEN ${bounded(`${field}::numeric * ${scale}`)} END`
    );
  };
  const word = `('x' || encode(substring(${v} from 3 for 8), 'hex'))::bit(64)::bigint::numeric`;
  return (
    `CASE WHEN length(${v}) = 0 THEN NULL ` +
    `WHEN get_byte(${v}, 0) = 3 THEN ${decimal(16, 1)} ` +
    `WHEN get_byte(${v}, 0) = 2 THEN ${decimal(13, 1000)} ` +
    `WHEN length(${v}) < 10 THEN NULL ` +
    `WHEN get_byte(${v}, 0) = 162 AND get_byte(${v}, 1) <= 2 THEN ${bounded(word)} ` +
    `WHEN get_byte(${v}, 0) = 161 AND get_byte(${v}, 1) <= 1 THEN ${bounded(`${word} * 1000`)} ` +
    'END'
  );
}

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
    // A row written by a conditional write carries its stamp in the column; one written
    // by set or setMany (NULL) has it in its envelope header; bytes the store did not
    // write have none and count as older (-1). Row lock and check are one step: ON
    // CONFLICT locks the held row and evaluates the WHERE on its latest version.
    setIfOlder:
      `INSERT INTO ${qualified} AS t (key, value, expires_at, stamp) ` +
      `SELECT u.k, u.v, ${expiry('u.ttl')}, u.s FROM unnest($1::bytea[], $2::bytea[], $3::bigint[], $4::bigint[]) AS u(k, v, ttl, s) ` +
      'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, stamp = EXCLUDED.stamp ' +
      'WHERE (t.expires_at IS NOT NULL AND t.expires_at <= now()) ' +
      `OR coalesce(t.stamp, ${headerStamp('t.value')}, -1) < EXCLUDED.stamp ` +
      'RETURNING t.key',
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
