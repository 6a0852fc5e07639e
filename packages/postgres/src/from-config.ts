import { ConfigError } from '@resilient-store/core';
import type { PostgresBackendOptions } from './options.js';
import { type PostgresBackend, postgresBackend } from './postgres-backend.js';
import { OPTION_NAMES } from './settings.js';

/**
 * Builds a PostgreSQL backend from plain data, e.g. parsed from JSON or YAML:
 * `{ type: 'postgres', url, ...options }` with the options of `postgresBackend`.
 * Every field is checked; an unknown or mistyped field is a `ConfigError` naming it.
 */
export function fromConfig(config: Record<string, unknown>): PostgresBackend {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError('config', 'must be an object');
  }
  const { type, url, ...rest } = config;
  if (type !== undefined && type !== 'postgres') {
    throw new ConfigError('type', `must be 'postgres', got ${String(type)}`);
  }
  if (typeof url !== 'string' || url.length === 0) {
    throw new ConfigError('url', 'is required: a postgres:// connection URL');
  }
  const options: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    if (!OPTION_NAMES.includes(field)) {
      throw new ConfigError(
        field,
        `unknown postgres backend option (known: url, ${OPTION_NAMES.join(', ')})`,
      );
    }
    options[field] = value;
  }
  // Types and ranges are checked by postgresBackend, field by field.
  return postgresBackend({ connectionString: url }, options as PostgresBackendOptions);
}
