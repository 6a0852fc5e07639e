import {
  backendName,
  booleanOption,
  ConfigError,
  nonEmptyString,
  positiveInteger,
  rejectUnknownFields,
} from '@resilient-store/core/backend';
import { checkIdentifier, MAX_IDENTIFIER_LENGTH } from './identifiers.js';
import {
  DEFAULT_APPLICATION_NAME,
  DEFAULT_BACKEND_NAME,
  DEFAULT_CLEANUP_BATCH_SIZE,
  DEFAULT_CLEANUP_INTERVAL_MS,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_POOL_SIZE,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  DEFAULT_SCHEMA,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  DEFAULT_TABLE,
  POSTGRES_MAX_VALUE_BYTES,
  type PostgresBackendOptions,
} from './options.js';

/** Longest table name: leaves room for the `_expires_at` suffix of its index within 63 characters. */
export const MAX_TABLE_LENGTH = 52;

/** Largest timer delay Node accepts (2^31 - 1 ms); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The options with defaults applied and every value checked. */
export interface PostgresSettings {
  readonly name: string;
  readonly table: string;
  readonly schema: string;
  readonly createTable: boolean;
  readonly unlogged: boolean;
  readonly queryTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly poolSize: number;
  readonly cleanupIntervalMs: number;
  readonly cleanupBatchSize: number;
  readonly probeIntervalMs: number;
  readonly maxValueBytes: number;
  readonly applicationName: string;
}

type Reader<T> = (value: unknown, field: string) => T;

const integer =
  (fallback: number, max = MAX_TIMER_MS): Reader<number> =>
  (value, field) =>
    positiveInteger(value, field, { fallback, max });

const identifier =
  (fallback: string, maxLength: number): Reader<string> =>
  (value, field) =>
    value === undefined ? fallback : checkIdentifier(field, value, maxLength);

/** Every option, with how it is read. */
const READERS: { readonly [K in keyof PostgresSettings]: Reader<PostgresSettings[K]> } = {
  name: (value) => backendName(value, DEFAULT_BACKEND_NAME),
  table: identifier(DEFAULT_TABLE, MAX_TABLE_LENGTH),
  schema: identifier(DEFAULT_SCHEMA, MAX_IDENTIFIER_LENGTH),
  createTable: (value, field) => booleanOption(value, field, true),
  unlogged: (value, field) => booleanOption(value, field, false),
  queryTimeoutMs: integer(DEFAULT_QUERY_TIMEOUT_MS),
  statementTimeoutMs: integer(DEFAULT_STATEMENT_TIMEOUT_MS),
  connectionTimeoutMs: integer(DEFAULT_CONNECTION_TIMEOUT_MS),
  poolSize: integer(DEFAULT_POOL_SIZE, 10_000),
  cleanupIntervalMs: integer(DEFAULT_CLEANUP_INTERVAL_MS),
  cleanupBatchSize: integer(DEFAULT_CLEANUP_BATCH_SIZE, 1_000_000),
  probeIntervalMs: integer(DEFAULT_PROBE_INTERVAL_MS),
  maxValueBytes: integer(DEFAULT_MAX_VALUE_BYTES, POSTGRES_MAX_VALUE_BYTES),
  applicationName: (value, field) =>
    value === undefined ? DEFAULT_APPLICATION_NAME : nonEmptyString(value, field),
};

export const OPTION_NAMES: readonly string[] = Object.keys(READERS);

/**
 * Applies defaults and checks every option; an unknown or mistyped one is a
 * `ConfigError` naming it (a misspelt `statementTimeotMs` must not silently become the default).
 */
export function resolveSettings(options: PostgresBackendOptions = {}): PostgresSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('options', 'must be an object');
  }
  const given = options as Record<string, unknown>;
  rejectUnknownFields(given, OPTION_NAMES, 'postgres backend');
  const settings: Record<string, unknown> = {};
  for (const [field, read] of Object.entries(READERS)) {
    settings[field] = (read as Reader<unknown>)(given[field], field);
  }
  // Every field was read by its reader above.
  return settings as unknown as PostgresSettings;
}
