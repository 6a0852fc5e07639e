// @resilient-store/memcached: Memcached backend for resilient-store, on memjs.
import type { MemcachedBackendConfig } from './options.js';

export type { ServersAvailability } from './availability.js';
export type { ServerConnection } from './connection.js';
export { fromConfig } from './from-config.js';
export { MEMCACHED_KEY_LIMIT_BYTES } from './key-mapping.js';
export { type MemcachedBackend, memcachedBackend } from './memcached-backend.js';
export {
  DEFAULT_BACKEND_NAME,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_GENERATION_CACHE_MS,
  DEFAULT_KEEP_ALIVE_DELAY_MS,
  DEFAULT_MAX_CLEARED_PREFIXES,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_RETRIES,
  MEMCACHED_ITEM_SIZE_BYTES,
  MEMCACHED_MAX_KEY_BYTES,
  MEMCACHED_MAX_VALUE_BYTES,
  type MemcachedBackendConfig,
  type MemcachedBackendOptions,
  type MemcachedServerAddress,
} from './options.js';
export { MemcachedReplyError, type ReplyFault } from './protocol.js';
export { RELATIVE_EXPIRY_LIMIT_S } from './ttl.js';

// Declares `{ type: 'memcached', … }` entries of createStore's configuration to the
// compiler wherever this package is part of the program (see BackendConfigTypes).
// (The type-only import brings core into the program, which an augmentation needs.)
import type {} from '@resilient-store/core';

declare module '@resilient-store/core' {
  interface BackendConfigTypes {
    memcached: MemcachedBackendConfig;
  }
}
