import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Cluster, ClusterOptions, Redis } from 'ioredis';

/** An ioredis client the backend can drive: a single node (or Sentinel-managed) `Redis`, or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** A cluster or sentinel node: `"host:port"`, `"redis://host:port"`, or an address object. */
export type RedisNodeAddress = string | { readonly host: string; readonly port: number };

/** Settings shared by every way of reaching Redis. */
export interface RedisCommonOptions {
  /** Backend name, unique within a store; used in events and metric labels. Default `'redis'`. */
  name?: string;
  /**
   * Per-command reply deadline in ms, one more per 1,000 keys of a batch command (MGET,
   * UNLINK). Default {@link DEFAULT_COMMAND_TIMEOUT_MS}.
   */
  commandTimeout?: number;
  /** Deadline for establishing one connection (TCP, TLS, handshake) in ms. Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeout?: number;
  /** Upper bound of the reconnection backoff in ms. Default {@link DEFAULT_MAX_RECONNECT_DELAY_MS}. */
  maxReconnectDelay?: number;
  /** How long `close()` waits for a graceful QUIT before dropping the sockets, in ms. Default {@link DEFAULT_CLOSE_TIMEOUT_MS}. */
  closeTimeout?: number;
  /** `true` or Node TLS options to connect over TLS. A `rediss://` URL turns TLS on as well. */
  tls?: boolean | TlsConnectionOptions;
  /** ACL user name (Redis 6+). */
  username?: string;
  /** Password of the ACL user, or of the `default` user when `username` is absent. */
  password?: string;
  /** Batch commands issued in the same event-loop turn into one write. Default {@link DEFAULT_ENABLE_AUTO_PIPELINING}. */
  enableAutoPipelining?: boolean;
  /** Largest value accepted, in bytes. Default {@link DEFAULT_MAX_VALUE_BYTES}; at most {@link REDIS_MAX_VALUE_BYTES}. */
  maxValueBytes?: number;
  /** Name shown by `CLIENT LIST`, to find this service's connections on the server. */
  connectionName?: string;
}

/** A single server addressed by URL: `redis://[user:pass@]host:port[/db]` or `rediss://…` for TLS. */
export interface RedisUrlOptions extends RedisCommonOptions {
  url: string;
  /** Logical database; overrides the one in the URL. */
  db?: number;
}

/** A client the caller created and configured. Its connection settings are left untouched. */
export interface RedisClientOptions
  extends Omit<RedisCommonOptions, keyof RedisConnectionSettings> {
  client: RedisClient;
  /** Whether `close()` also closes `client`. Default `false`: the caller owns it. */
  closeClient?: boolean;
}

/** A Redis Cluster, reached through any subset of its nodes. */
export interface RedisClusterOptions extends RedisCommonOptions {
  cluster: readonly RedisNodeAddress[];
  /** Extra ioredis Cluster options (e.g. `natMap`, `scaleReads`); the fail-fast settings win over them. */
  clusterOptions?: ClusterOptions;
}

/** A master found through Redis Sentinel. */
export interface RedisSentinelOptions extends RedisCommonOptions {
  sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** The master group name the sentinels monitor (`sentinel monitor <masterName> …`). */
  masterName: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** Logical database. */
  db?: number;
}

/** Options of {@link redisBackend}: exactly one of `url`, `client`, `cluster` or `sentinels`. */
export type RedisBackendOptions =
  | RedisUrlOptions
  | RedisClientOptions
  | RedisClusterOptions
  | RedisSentinelOptions;

/** `T` with the fields of the other ways of reaching Redis forbidden. */
type OnlyWay<T, Others> = T & { [K in Exclude<keyof Others, keyof T>]?: never };

/**
 * A Redis backend as plain data, what `createStore` takes as `{ type: 'redis', … }`:
 * exactly one of `url`, `cluster` or `sentinels` (with `masterName`); a client object
 * cannot come from configuration data (build the backend with `redisBackend` for that).
 */
export type RedisBackendConfig =
  | OnlyWay<RedisUrlOptions, RedisClusterOptions & RedisSentinelOptions>
  | OnlyWay<RedisClusterOptions, RedisUrlOptions & RedisSentinelOptions>
  | OnlyWay<RedisSentinelOptions, RedisUrlOptions & RedisClusterOptions>;

/** The settings that only apply when the backend creates the client itself. */
interface RedisConnectionSettings {
  commandTimeout?: number;
  connectTimeout?: number;
  maxReconnectDelay?: number;
  tls?: boolean | TlsConnectionOptions;
  username?: string;
  password?: string;
  enableAutoPipelining?: boolean;
  connectionName?: string;
}

export const DEFAULT_BACKEND_NAME = 'redis';

/**
 * A cache read on a healthy Redis answers in well under a millisecond; even under load,
 * a fork for RDB/AOF or a slow neighbour command rarely pushes it past a few tens of ms.
 * A reply slower than this is treated as a failure so the store can fail over while the
 * caller's request still has budget left, instead of stalling on a sick server.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 300;

/**
 * ioredis waits 10 s by default for a connection; a backend stuck that long in
 * "connecting" is indistinguishable from a hang. One second covers TLS and AUTH on a
 * remote network while keeping a black-holed address from delaying recovery detection.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;

/** Caps the reconnection backoff, which bounds how late the store notices Redis is back. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;

export const DEFAULT_CLOSE_TIMEOUT_MS = 500;

/**
 * Measured through this backend against a local Redis 7.0 (100-byte GETs, 2 cores):
 * with 100 requests in flight auto-pipelining gave ~1.7x the throughput; with 1 in
 * flight it cost ~15-20%, one extra event-loop turn per command. A shared cache is
 * normally hit by many concurrent requests, so the gain wins. See the package README.
 */
export const DEFAULT_ENABLE_AUTO_PIPELINING = true;

/**
 * Keys longer than this are a caller error. Redis accepts keys up to 512 MiB, but a key
 * is hashed, compared and sent with every command; a cache key past 64 KiB is a bug.
 */
export const REDIS_MAX_KEY_BYTES = 64 * 1024;

/** Redis' own limit on a string value (`proto-max-bulk-len` default). */
export const REDIS_MAX_VALUE_BYTES = 512 * 1024 * 1024;

/**
 * Redis runs commands on one thread: a multi-megabyte value blocks every other client
 * while it is copied, and at 1 Gbit/s 8 MiB already takes ~70 ms on the wire, a good
 * share of the default command timeout. Larger values are skipped for this backend.
 */
export const DEFAULT_MAX_VALUE_BYTES = 8 * 1024 * 1024;
