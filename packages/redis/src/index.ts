// @resilient-store/redis: Redis backend (single node, Sentinel, Cluster) for resilient-store, on ioredis.
import type { RedisBackendConfig } from './options.js';

export type { ConnectionState } from './connection-state.js';
export { fromConfig } from './from-config.js';
export {
  DEFAULT_BACKEND_NAME,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_ENABLE_AUTO_PIPELINING,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_MAX_VALUE_BYTES,
  REDIS_MAX_KEY_BYTES,
  REDIS_MAX_VALUE_BYTES,
  type RedisBackendConfig,
  type RedisBackendOptions,
  type RedisClient,
  type RedisClientOptions,
  type RedisClusterOptions,
  type RedisCommonOptions,
  type RedisNodeAddress,
  type RedisSentinelOptions,
  type RedisUrlOptions,
} from './options.js';
export { type RedisBackend, redisBackend } from './redis-backend.js';

// Declares `{ type: 'redis', … }` entries of createStore's configuration to the
// compiler wherever this package is part of the program (see BackendConfigTypes).
declare module '@resilient-store/core' {
  interface BackendConfigTypes {
    redis: RedisBackendConfig;
  }
}
