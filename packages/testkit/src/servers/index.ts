export { INSTALL_HINTS } from './binaries.js';
export { CLUSTER_SLOTS, keySlot } from './cluster-slot.js';
export {
  FaultInjectionUnsupportedError,
  ServerBinaryNotFoundError,
  ServerStartError,
  ServerStateError,
  ServerTimeoutError,
} from './errors.js';
export type { ServerHandle } from './handle.js';
export {
  type MemcachedServer,
  type MemcachedServerOptions,
  startMemcached,
} from './memcached.js';
export { freePort } from './ports.js';
export {
  type PostgresServer,
  type PostgresServerOptions,
  startPostgres,
} from './postgres.js';
export {
  type MemcachedRequestOptions,
  memcachedCommand,
  memcachedGet,
  memcachedSet,
} from './probes/memcached-text.js';
export {
  type PgConnectOptions,
  PgError,
  type PgResult,
  pgSimpleQuery,
} from './probes/pg-wire.js';
export {
  type RedisCommandOptions,
  RespError,
  type RespValue,
  redisCommand,
  redisPipeline,
} from './probes/resp.js';
export {
  type RedisAclUser,
  type RedisServer,
  type RedisServerOptions,
  type RedisServerTls,
  startRedis,
} from './redis.js';
export {
  type ClusterNode,
  type ClusterRole,
  type RedisCluster,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster.js';
export {
  type RedisSentinelGroup,
  type RedisSentinelOptions,
  startRedisSentinel,
} from './redis-sentinel.js';
export { liveServerCount, stopAllServers } from './registry.js';
export type { ServerMode, ServerSource, SourceOptions } from './source.js';
