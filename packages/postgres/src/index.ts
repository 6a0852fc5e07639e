// @resilient-store/postgres: PostgreSQL table-backed cache backend for resilient-store, on pg.
import type { PostgresBackendConfig } from './options.js';

export { Availability } from './availability.js';
export { fromConfig } from './from-config.js';
export {
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
  POSTGRES_MAX_KEY_BYTES,
  POSTGRES_MAX_VALUE_BYTES,
  type PostgresBackendConfig,
  type PostgresBackendOptions,
  type PostgresConnection,
} from './options.js';
export { type PostgresBackend, postgresBackend } from './postgres-backend.js';

// Declares `{ type: 'postgres', … }` entries of createStore's configuration to the
// compiler wherever this package is part of the program (see BackendConfigTypes).
// (The type-only import brings core into the program, which an augmentation needs.)
import type {} from '@resilient-store/core';

declare module '@resilient-store/core' {
  interface BackendConfigTypes {
    postgres: PostgresBackendConfig;
  }
}
