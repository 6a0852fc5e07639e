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

export function classifyFailure(error: unknown): FailureKind {
  const { code, message } = error as { code?: unknown; message?: unknown };
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
