import { BackendTimeoutError } from '@resilient-store/core/backend';

/** What a failed query says about the backend as a whole. */
export type FailureKind =
  /** PostgreSQL cannot be reached or refuses sessions: skip it until a probe succeeds. */
  | 'unreachable'
  /** The table (or its schema) is gone: skip it until a probe finds or recreates it. */
  | 'missing-table'
  /** One statement failed (timeout, lock, a bad row): the breaker judges the rate. */
  | 'statement';

/** Socket-level errors of a connection that could not be opened or was cut. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean no session can work: connection exceptions (class 08), the server
 * shutting down or starting (57P01-57P03), too many connections (53300), failed
 * authentication (28000, 28P01), a missing database (3D000).
 */
const UNREACHABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '28000', '28P01', '3D000']);

/** pg reports a dropped or never-opened connection by message only. */
const UNREACHABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

/** undefined_table, invalid_schema_name. */
const MISSING_TABLE_STATES = new Set(['42P01', '3F000']);

/** pg's message for a query past its `query_timeout`. */
const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

/*
 * Whose problem a PostgreSQL error is. The store treats an `InvalidInputError` as the
 * caller's (thrown to it, never counted against the backend) and anything else as the
 * backend's (counted by its breaker, failed over). Input is checked before it is sent
 * (keys, prefixes, TTLs, value sizes, stamps: input.ts and the core kit), so the errors
 * that could only come from one key's or value's data do not reach PostgreSQL today;
 * if one did, it would count as a statement failure of the backend. A typed "key data"
 * error from the core kit would let these be reported as the entry's:
 *
 *   SQLSTATE                    meaning here                            whose
 *   54000 program_limit_exceeded  index row too large (key over the btree  the key (kept out by
 *                                 limit), a value past the 1 GiB field      maxKeyBytes, maxValueBytes)
 *   22001, 22021, 22P05         string too long, invalid byte sequence,   the key or value (keys and
 *                               untranslatable character                  values are bytea: not reached)
 *   22003, 22008                number or timestamp out of range: an      the entry (not reached: the
 *                               expiry past year 294276                   largest safe-integer TTL ends
 *                                                                         near year 287600)
 *   21000 cardinality_violation ON CONFLICT touching a row twice          a bug here (keys are deduplicated)
 *   08xxx, 57P01-57P03, 53300,  connection lost or refused, shutdown,     the backend: unreachable
 *   28000, 28P01, 3D000         too many clients, auth, no database
 *   42P01, 3F000                table or schema gone                      the backend: missing-table
 *   57014 query_canceled        statement_timeout fired                   the backend: statement
 *   40001, 40P01, 55P03         serialization failure, deadlock, lock     the backend: statement
 *                               not available                             (transient; retried by replay)
 *   25006 read_only_sql_transaction  a standby after a failover          the backend: statement
 *   53100, 53200, 58xxx, XX000  disk full, out of memory, I/O, internal   the backend: statement
 *   42501 insufficient_privilege  the role cannot write the table        the backend: statement
 */
export function classifyFailure(error: unknown): FailureKind {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || code.startsWith('08') || UNREACHABLE_STATES.has(code)) {
      return 'unreachable';
    }
    if (MISSING_TABLE_STATES.has(code)) return 'missing-table';
  }
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((m) => message.includes(m))) {
    return 'unreachable';
  }
  return 'statement';
}

/** pg's timeout error as the store's typed one; anything else as it came. */
export function describeFailure(error: unknown, backend: string, queryTimeoutMs: number): Error {
  if (error instanceof Error && error.message === QUERY_TIMEOUT_MESSAGE) {
    return new BackendTimeoutError(backend, queryTimeoutMs);
  }
  return error instanceof Error ? error : new Error(String(error));
}
