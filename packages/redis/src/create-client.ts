import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ConfigError } from '@resilient-store/core/backend';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { reconnectDelay } from './backoff.js';
import { LoopAwareCluster, LoopAwareRedis } from './loop-aware-client.js';
import type {
  RedisBackendOptions,
  RedisClient,
  RedisClientOptions,
  RedisClusterOptions,
  RedisCommonOptions,
  RedisSentinelOptions,
  RedisUrlOptions,
} from './options.js';
import { SentinelLookupConnector } from './sentinel-connector.js';
import type { RedisSettings } from './settings.js';

/** The client a backend drives, and whether the backend is responsible for closing it. */
export interface OwnedClient {
  readonly client: RedisClient;
  readonly owned: boolean;
}

const SOURCES = ['url', 'client', 'cluster', 'sentinels'] as const;

/** Creates (or adopts) the ioredis client described by `options`, configured to fail fast. */
export function createClient(options: RedisBackendOptions, settings: RedisSettings): OwnedClient {
  const fields = options as Partial<Record<(typeof SOURCES)[number], unknown>>;
  const given = SOURCES.filter((source) => fields[source] !== undefined && fields[source] !== null);
  if (given.length !== 1) {
    throw new ConfigError(
      'url',
      `exactly one of url, client, cluster or sentinels is required, got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  switch (given[0]) {
    case 'client': {
      const { client, closeClient } = options as RedisClientOptions;
      return { client: adoptClient(client), owned: closeClient === true };
    }
    case 'cluster':
      return { client: createCluster(options as RedisClusterOptions, settings), owned: true };
    case 'sentinels':
      return { client: createSentinel(options as RedisSentinelOptions, settings), owned: true };
    default:
      return { client: createSingle(options as RedisUrlOptions, settings), owned: true };
  }
}

function adoptClient(client: RedisClient): RedisClient {
  if (!(client instanceof Redis) && !(client instanceof Cluster)) {
    throw new ConfigError('client', 'must be an ioredis Redis or Cluster instance');
  }
  // A client-side prefix would be applied to commands but not to SCAN results or to the
  // slot computation used for multi-key commands; namespacing belongs to the store.
  if (client.options.keyPrefix) {
    throw new ConfigError(
      'client',
      'a client with keyPrefix is not supported; use the store namespace',
    );
  }
  return client;
}

/**
 * Settings that make every command fail fast while Redis is not serving, and that keep
 * close() from leaving timers behind:
 * - no offline queue: a command issued while disconnected rejects at once rather than
 *   waiting for a reconnection that may never come;
 * - no retries or resends: a command caught by a dropped connection rejects at once,
 *   and is not replayed later, after the store has already failed over and moved on;
 * - a command timeout (armed loop-aware by the backend's clients, loop-aware-client.ts)
 *   and a bounded connect timeout;
 * - no ioredis socket timeout: the backend's `SilenceWatch` declares a server that
 *   stops answering (black hole, SIGSTOP) down instead, without mistaking a blocked
 *   event loop of this process for it.
 */
function failFastNodeOptions(settings: RedisSettings): RedisOptions {
  return {
    commandTimeout: settings.commandTimeout,
    connectTimeout: settings.connectTimeout,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    // How long disconnect() lets a socket close gracefully before destroying it. The
    // backend only disconnects after QUIT was answered or on a broken connection, so there
    // is nothing to flush; and ioredis arms this timer even for a socket that is already
    // closed, where the default 2 s would keep the process alive after close().
    disconnectTimeout: 0,
  };
}

/** Connection options shared by every node the backend connects to. */
function connectionOptions(options: RedisCommonOptions): RedisOptions {
  const result: RedisOptions = {};
  if (options.tls !== undefined && options.tls !== false) result.tls = tlsOptions(options.tls);
  if (options.username !== undefined) result.username = options.username;
  if (options.password !== undefined) result.password = options.password;
  if (options.connectionName !== undefined) result.connectionName = options.connectionName;
  return result;
}

function tlsOptions(tls: true | TlsConnectionOptions): TlsConnectionOptions {
  return tls === true ? {} : tls;
}

/**
 * Options for a client the backend owns. `lazyConnect` stays false: connecting at
 * construction makes the availability signal true as soon as Redis is reachable, and
 * the first operation does not pay for the TCP/TLS/AUTH handshake.
 */
function standaloneOptions(options: RedisCommonOptions, settings: RedisSettings): RedisOptions {
  return {
    ...connectionOptions(options),
    ...failFastNodeOptions(settings),
    enableOfflineQueue: false,
    lazyConnect: false,
    enableAutoPipelining: settings.enableAutoPipelining,
    retryStrategy: (attempt) => reconnectDelay(attempt, settings.maxReconnectDelay),
  };
}

function createSingle(options: RedisUrlOptions, settings: RedisSettings): Redis {
  const url = parseRedisUrl(options.url);
  // ioredis lets URL fields win over options; refuse the ambiguity instead of guessing.
  if (url.password !== '' && options.password !== undefined) {
    throw new ConfigError('password', 'given both in url and as an option');
  }
  if (url.username !== '' && options.username !== undefined) {
    throw new ConfigError('username', 'given both in url and as an option');
  }
  if (url.pathname.length > 1 && options.db !== undefined) {
    throw new ConfigError('db', 'given both in url and as an option');
  }
  return new LoopAwareRedis(
    options.url,
    { ...standaloneOptions(options, settings), ...dbOption(options.db) },
    loopTimeout(settings),
  );
}

function createSentinel(options: RedisSentinelOptions, settings: RedisSettings): Redis {
  if (typeof options.masterName !== 'string' || options.masterName.length === 0) {
    throw new ConfigError('masterName', 'must name the master group the sentinels monitor');
  }
  if (!Array.isArray(options.sentinels) || options.sentinels.length === 0) {
    throw new ConfigError('sentinels', 'must list at least one sentinel');
  }
  const sentinelOptions: RedisOptions = {
    sentinels: options.sentinels.map((node) => ({ host: node.host, port: node.port })),
    name: options.masterName,
    sentinelCommandTimeout: settings.commandTimeout,
    sentinelRetryStrategy: (attempt) => reconnectDelay(attempt, settings.maxReconnectDelay),
    // ioredis's own connector leaves a retry timer and lookups running after close().
    Connector: SentinelLookupConnector,
  };
  if (options.sentinelUsername !== undefined) {
    sentinelOptions.sentinelUsername = options.sentinelUsername;
  }
  if (options.sentinelPassword !== undefined) {
    sentinelOptions.sentinelPassword = options.sentinelPassword;
  }
  return new LoopAwareRedis(
    undefined,
    { ...standaloneOptions(options, settings), ...sentinelOptions, ...dbOption(options.db) },
    loopTimeout(settings),
  );
}

function createCluster(options: RedisClusterOptions, settings: RedisSettings): Cluster {
  if (!Array.isArray(options.cluster) || options.cluster.length === 0) {
    throw new ConfigError('cluster', 'must list at least one startup node');
  }
  const extra = options.clusterOptions ?? {};
  if (extra.keyPrefix || extra.redisOptions?.keyPrefix) {
    throw new ConfigError('clusterOptions.keyPrefix', 'not supported; use the store namespace');
  }
  const retry = (attempt: number) => reconnectDelay(attempt, settings.maxReconnectDelay);
  const clusterOptions: ClusterOptions = {
    // ioredis retries a command whose node went away every 100 ms, up to 16 times
    // (1.6 s) while a replica is promoted. The store would rather fall back at
    // once and come back when the cluster has healed: a few quick tries only.
    // These two may be overridden through `clusterOptions`.
    maxRedirections: 3,
    retryDelayOnFailover: 20,
    ...extra,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    lazyConnect: false,
    enableAutoPipelining: settings.enableAutoPipelining,
    clusterRetryStrategy: retry,
    // ioredis 6 does not reconnect a single node by default and waits for a MOVED to
    // learn the topology again; a master restarted in place would stay unusable.
    clusterNodeRetryStrategy: retry,
    slotsRefreshTimeout: settings.connectTimeout,
    redisOptions: {
      ...extra.redisOptions,
      ...connectionOptions(options),
      ...failFastNodeOptions(settings),
    },
  };
  return new LoopAwareCluster(
    options.cluster.map((node) =>
      typeof node === 'string' ? node : { host: node.host, port: node.port },
    ),
    clusterOptions,
    loopTimeout(settings),
  );
}

function loopTimeout(settings: RedisSettings): { ms: number; backend: string } {
  return { ms: settings.commandTimeout, backend: settings.name };
}

/**
 * How long a connection awaiting replies may read nothing before it is declared
 * dead (see `SilenceWatch`): twice the command timeout, at least 1 s.
 */
export function silenceLimitMs(settings: RedisSettings): number {
  return Math.max(settings.commandTimeout * 2, 1_000);
}

function parseRedisUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ConfigError('url', `not a valid URL: ${JSON.stringify(raw)}`, { cause: error });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('url', `must start with redis:// or rediss://, got ${url.protocol}//`);
  }
  return url;
}

function dbOption(db: number | undefined): RedisOptions {
  if (db === undefined) return {};
  if (!Number.isInteger(db) || db < 0) {
    throw new ConfigError('db', `must be a non-negative integer, got ${String(db)}`);
  }
  return { db };
}
