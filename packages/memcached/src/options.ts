/** A memcached server: `"host:port"` (port defaults to 11211). */
export type MemcachedServerAddress = string;

/** Options of {@link memcachedBackend}. */
export interface MemcachedBackendOptions {
  /**
   * The servers: `"host:port,host:port"` or an array of `"host:port"`. Keys are spread
   * over them with memjs's distribution (a hash of the key modulo the server count).
   */
  servers: string | readonly MemcachedServerAddress[];
  /** Backend name, unique within a store; used in events and metric labels. Default `'memcached'`. */
  name?: string;
  /** SASL PLAIN user name (memcached started with `-S`). Needs `password`. */
  username?: string;
  /** SASL PLAIN password. Needs `username`. */
  password?: string;
  /** Reply deadline of one request, in ms. Default {@link DEFAULT_OPERATION_TIMEOUT_MS}. */
  operationTimeout?: number;
  /** Deadline for opening one connection (TCP and SASL), in ms. Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeout?: number;
  /** Upper bound of the reconnection backoff, in ms. Default {@link DEFAULT_MAX_RECONNECT_DELAY_MS}. */
  maxReconnectDelay?: number;
  /**
   * How many times a request that failed because its connection was refused or reset is
   * sent again, on the next connection. Timeouts are never retried. Default {@link DEFAULT_RETRIES}.
   */
  retries?: number;
  /** Idle time before the first TCP keep-alive probe, in ms. Default {@link DEFAULT_KEEP_ALIVE_DELAY_MS}. */
  keepAliveDelay?: number;
  /**
   * Largest value accepted, in bytes; larger ones are refused before sending and the
   * store keeps them in the next backend. Default {@link DEFAULT_MAX_VALUE_BYTES}; raise
   * it together with the server's `-I`.
   */
  maxValueBytes?: number;
  /**
   * How long a process may use the prefix generations it read, in ms: the window during
   * which another process's `clear(prefix)` may not be seen yet. Default {@link DEFAULT_GENERATION_CACHE_MS}.
   */
  generationCacheMs?: number;
  /**
   * Distinct prefixes `clear` keeps a generation for, per server. Clearing one more
   * starts a new epoch: every entry of that server becomes unreachable. Default {@link DEFAULT_MAX_CLEARED_PREFIXES}.
   */
  maxClearedPrefixes?: number;
}

/**
 * A Memcached backend as plain data, what `createStore` takes as
 * `{ type: 'memcached', servers, … }`: the same fields as the options.
 */
export type MemcachedBackendConfig = MemcachedBackendOptions;

export const DEFAULT_BACKEND_NAME = 'memcached';

/**
 * memjs waits 500 ms per request. A memcached GET on a healthy server answers in well
 * under a millisecond; a reply this late means a stuck server or network, and the store
 * should fail over while the caller's request still has budget left.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 300;

/** memjs waits 1 s (twice its request timeout); the same, stated on its own. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;

/** Caps the reconnection backoff, which bounds how late the store notices memcached is back. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * memjs retries twice, 200 ms apart, on a timer `close()` cannot clear. One immediate
 * resend covers a connection the server closed while idle; more only delays failover.
 */
export const DEFAULT_RETRIES = 1;

/** Notices a peer that vanished without a FIN (host down, NAT dropped the flow). memjs leaves keep-alive off. */
export const DEFAULT_KEEP_ALIVE_DELAY_MS = 30_000;

/** memcached's default item size limit (`-I 1m`). */
export const MEMCACHED_ITEM_SIZE_BYTES = 1024 * 1024;

/**
 * The item limit covers the item header (~50 bytes), the key (up to 250 bytes) and the
 * CAS field as well as the value; 1 KiB below the limit leaves room for all of them.
 */
export const DEFAULT_MAX_VALUE_BYTES = MEMCACHED_ITEM_SIZE_BYTES - 1024;

/** memcached's own largest item limit (`-I 1024m`). */
export const MEMCACHED_MAX_VALUE_BYTES = 1024 * 1024 * 1024 - 1024;

/**
 * Longest key the backend accepts, in UTF-8 bytes. Memcached keys are mapped (see the
 * README), so any key fits; the cap only bounds the hashing work of a bug.
 */
export const MEMCACHED_MAX_KEY_BYTES = 64 * 1024;

/**
 * One second: another process's `clear` is seen within a second, and reading the
 * generations costs one extra round trip per server per second.
 */
export const DEFAULT_GENERATION_CACHE_MS = 1_000;

/** Every cached generation read also reads each cleared prefix's counter: keep the list short. */
export const DEFAULT_MAX_CLEARED_PREFIXES = 256;
