import { ConfigError } from '@resilient-store/core';
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

type Reader<T> = (field: string, value: unknown) => T;

const positiveInteger =
  (fallback: number, max = Number.MAX_SAFE_INTEGER): Reader<number> =>
  (field, value) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigError(field, `must be a positive integer, got ${String(value)}`);
    }
    if (value > max) throw new ConfigError(field, `must be at most ${max}, got ${value}`);
    return value;
  };

const boolean =
  (fallback: boolean): Reader<boolean> =>
  (field, value) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new ConfigError(field, 'must be a boolean');
    return value;
  };

const nonEmptyString =
  (fallback: string): Reader<string> =>
  (field, value) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.length === 0) {
      throw new ConfigError(field, 'must be a non-empty string');
    }
    return value;
  };

const identifier =
  (fallback: string, maxLength: number): Reader<string> =>
  (field, value) =>
    value === undefined ? fallback : checkIdentifier(field, value, maxLength);

/** Every option, with how it is read. */
const READERS: { readonly [K in keyof PostgresSettings]: Reader<PostgresSettings[K]> } = {
  name: nonEmptyString(DEFAULT_BACKEND_NAME),
  table: identifier(DEFAULT_TABLE, MAX_TABLE_LENGTH),
  schema: identifier(DEFAULT_SCHEMA, MAX_IDENTIFIER_LENGTH),
  createTable: boolean(true),
  unlogged: boolean(false),
  queryTimeoutMs: positiveInteger(DEFAULT_QUERY_TIMEOUT_MS),
  statementTimeoutMs: positiveInteger(DEFAULT_STATEMENT_TIMEOUT_MS),
  connectionTimeoutMs: positiveInteger(DEFAULT_CONNECTION_TIMEOUT_MS),
  poolSize: positiveInteger(DEFAULT_POOL_SIZE, 10_000),
  cleanupIntervalMs: positiveInteger(DEFAULT_CLEANUP_INTERVAL_MS, 2 ** 31 - 1),
  cleanupBatchSize: positiveInteger(DEFAULT_CLEANUP_BATCH_SIZE, 1_000_000),
  probeIntervalMs: positiveInteger(DEFAULT_PROBE_INTERVAL_MS, 2 ** 31 - 1),
  maxValueBytes: positiveInteger(DEFAULT_MAX_VALUE_BYTES, POSTGRES_MAX_VALUE_BYTES),
  applicationName: nonEmptyString(DEFAULT_APPLICATION_NAME),
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
  for (const field of Object.keys(given)) {
    if (!Object.hasOwn(READERS, field)) {
      throw new ConfigError(
        field,
        `unknown postgres backend option (known: ${OPTION_NAMES.join(', ')})`,
      );
    }
  }
  const settings: Record<string, unknown> = {};
  for (const [field, read] of Object.entries(READERS)) {
    settings[field] = (read as Reader<unknown>)(field, given[field]);
  }
  // Every field was read by its reader above.
  return settings as unknown as PostgresSettings;
}
