import { ConfigError, plainObject, rejectUnknownFields } from '@resilient-store/core/backend';
import type { PostgresBackendOptions } from './options.js';
import { type PostgresBackend, postgresBackend } from './postgres-backend.js';
import { OPTION_NAMES } from './settings.js';

/**
 * Builds a PostgreSQL backend from plain data, e.g. parsed from JSON or YAML:
 * `{ type: 'postgres', url, ...options }` with the options of `postgresBackend`.
 * Every field is checked; an unknown or mistyped field is a `ConfigError` naming it.
 */
export function fromConfig(config: Record<string, unknown>): PostgresBackend {
  const { type, url, ...rest } = plainObject(config, 'config');
  if (type !== undefined && type !== 'postgres') {
    throw new ConfigError('type', `must be 'postgres', got ${String(type)}`);
  }
  if (typeof url !== 'string' || url.length === 0) {
    throw new ConfigError('url', 'is required: a postgres:// connection URL');
  }
  const options = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  rejectUnknownFields(options, ['url', ...OPTION_NAMES], 'postgres backend');
  // Types and ranges are checked by postgresBackend, field by field.
  return postgresBackend({ connectionString: url }, options as PostgresBackendOptions);
}
