/**
 * The contract every cache backend implements, and the entry point of
 * `@resilient-store/core/backend`: the contract plus the kit backend authors use
 * (key, TTL and value checks, option checks, the shared errors), so every backend
 * refuses bad input the same way.
 *
 * Backends move bytes. The store owns serialization, namespacing, TTL policy and
 * envelopes, so a backend never sees a JavaScript value, only a key string and a
 * stored value: bytes, given either as a Uint8Array or as a string that stands
 * for its UTF-8 encoding (see `StoredValue`). Every backend runs through the conformance suite in
 * `@resilient-store/testkit` (`describeBackendConformance`) against a real server.
 */

/** What a backend can do; the store reads this to route and validate. */
export interface BackendCapabilities {
  /** Entries are visible to other processes (Redis, Postgres, Memcached; not memory). */
  readonly shared: boolean;
  /** Entries survive a restart of the server process. */
  readonly persistent: boolean;
  /** Longest key, in UTF-8 bytes, the backend stores as given. Longer keys are the caller's error. */
  readonly maxKeyBytes: number;
  /** Largest value, in (UTF-8) bytes, the backend accepts. Larger values are skipped for this backend. */
  readonly maxValueBytes: number;
}

/**
 * A value as backends store it: bytes. A string stands for its UTF-8 bytes; the
 * store passes strings where it can because drivers send them on a cheaper path
 * than buffers. A backend may return what it stored in either form, as long as
 * the bytes are the same.
 */
export type StoredValue = Uint8Array | string;

/** One entry of a `setMany` call. `ttlMs` undefined means no expiry. */
export interface BackendEntry {
  readonly key: string;
  readonly value: StoredValue;
  readonly ttlMs: number | undefined;
}

/**
 * Optional push signal of a backend's connection state. It lets the store skip a
 * backend that is known to be down without paying a timeout, and notice at once
 * when it comes back.
 */
export interface AvailabilitySignal {
  /** True while the backend believes it can serve a request right now. */
  isAvailable(): boolean;
  /**
   * Subscribe to changes; the listener is called once per transition with the new
   * state and, when it became unavailable, the cause. Returns an unsubscribe function.
   */
  subscribe(listener: (available: boolean, cause?: Error) => void): () => void;
}

/**
 * Handed by the store to `get` and `set`, the calls on every request's path. The
 * store bounds each call with its own deadline and must be able to answer when it
 * passes, even if the backend never does. A backend that can give up on a call
 * cheaply sets `abort`, which tells the store that the promise it returned will
 * settle promptly once `abort(reason)` is called (rejecting with `reason`, unless it
 * has settled already); the store then answers straight from that promise. A
 * backend that leaves `abort` unset is wrapped in a promise of the store's own,
 * which costs one more promise per call. `abort` is called at most once.
 */
export interface CallControl {
  abort: ((reason: Error) => void) | undefined;
}

/**
 * One entry of a conditional write: an envelope the store encoded — a value, or
 * a tombstone (a replayed delete) — and the stamp in its header, given apart so
 * a backend that keeps stamps in a column of their own need not parse it.
 */
export interface ConditionalEntry {
  readonly key: string;
  readonly value: StoredValue;
  /** Positive integer, or `undefined` for no expiry (tombstones always carry one). */
  readonly ttlMs: number | undefined;
  /** The stamp in `value`'s header: a non-negative safe integer (recovery/hlc.ts). */
  readonly stamp: number;
}

/**
 * Optional conditional writes, which recovery uses to copy back what changed
 * during an outage without ever overwriting a newer value.
 *
 * `setIfOlder(entries)`: for each entry, in order, atomically for that key with
 * respect to every other write the backend takes (the read of what is held and
 * the write are one step, as a Lua script, a row lock or a compare-and-swap
 * make them):
 *   - when the key is absent or expired, or holds a value whose stamp is lower
 *     than `entry.stamp`, store `entry.value` with `entry.ttlMs` exactly as
 *     `set` would (replacing any expiry), and answer `true`;
 *   - when it holds a value whose stamp is equal or higher, leave it and its
 *     expiry untouched and answer `false`.
 * A held value's stamp is the one in its envelope header (`stampOf` reads every
 * format; a backend may keep it in a column instead, as long as it is the one
 * the entry brought). A held value with no readable stamp (not written by the
 * store) counts as older. A tombstone is an ordinary value to the backend: it
 * is stored, expires and is compared like any other, and the store reads it
 * as a miss; so a conditional delete is a `setIfOlder` of a tombstone with a
 * short TTL, which keeps an older value replayed later from coming back.
 * Resolves with one boolean per entry, in order; an entry that repeats a key
 * sees the outcome of the earlier one. Input is checked like `setMany` (keys,
 * values, TTLs) before anything is written; a rejection means some entries may
 * have been applied and the call can be repeated safely (it is idempotent).
 */
export interface ConditionalWrites {
  setIfOlder(entries: readonly ConditionalEntry[]): Promise<boolean[]>;
}

export interface Backend {
  /** Unique within a store; used in events, logs and metric labels. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Present when the backend can tell that it is disconnected without a round trip. */
  readonly availability?: AvailabilitySignal;
  /**
   * Present when the backend offers conditional writes (see `ConditionalWrites`).
   * Recovery replays into a backend without them with plain writes and deletes,
   * which can overwrite a newer value another process wrote in the meantime.
   */
  readonly conditional?: ConditionalWrites;
  /**
   * Optional: true when `error`, which one of this backend's calls rejected with,
   * is about the data held under that call's key rather than about the backend's
   * health (see `KeyDataError`): Redis's `WRONGTYPE`, for instance. The store asks
   * only on the error path, so a backend can leave its driver's errors as they are
   * on the hot path; a backend that rejects with `KeyDataError` itself needs no
   * such method. Every other error is the backend's failure and counts on its breaker.
   */
  isKeyDataError?(error: Error): boolean;

  /**
   * The stored bytes, or `undefined` for a miss (absent or expired); `null` is
   * accepted as a miss too, so a driver's answer can be passed on without another
   * promise on every read. A miss is not an error.
   */
  get(key: string, control?: CallControl): Promise<StoredValue | null | undefined>;
  /** One answer per key, in order; duplicates allowed; missing keys answer `undefined`. */
  getMany(keys: readonly string[]): Promise<Array<StoredValue | undefined>>;
  /**
   * Store `value` under `key`; `ttlMs` is a positive integer or `undefined` for no
   * expiry. Resolves once stored; what it resolves with is ignored (a driver's
   * own answer, such as Redis's "OK", may be passed on as is).
   */
  set(
    key: string,
    value: StoredValue,
    ttlMs: number | undefined,
    control?: CallControl,
  ): Promise<unknown>;
  setMany(entries: readonly BackendEntry[]): Promise<void>;
  /** Remove `key`; resolves true when something was removed. */
  delete(key: string): Promise<boolean>;
  /** Remove every key; resolves with how many were removed. */
  deleteMany(keys: readonly string[]): Promise<number>;
  /** Remove every key that starts with `prefix` and nothing else. */
  clear(prefix: string): Promise<void>;
  /** Resolves when the backend answers; rejects otherwise. */
  ping(): Promise<void>;
  /** Release every socket and timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * The convention every backend package follows so `createStore` can build it from
 * plain configuration: `export function fromConfig(config) { ... }`. `config` holds
 * the backend's own options and its resolved `name`; unknown or mistyped fields are
 * a `ConfigError` naming the field (see `rejectUnknownFields`).
 */
export interface BackendModule {
  fromConfig(config: Record<string, unknown>): Backend | Promise<Backend>;
}

// ---------------------------------------------------------------- the kit

export {
  BackendTimeoutError,
  BackendUnavailableError,
  ConfigError,
  InvalidInputError,
  InvalidKeyError,
  InvalidTtlError,
  isLoopStall,
  KeyDataError,
  ResilientStoreError,
  SerializationError,
  toError,
  ValueTooLargeError,
} from './errors.js';
export { checkConditionalEntry } from './kit/conditional.js';
export { checkTtlMs, checkValue, valueTooLarge } from './kit/input.js';
export { checkKey, checkPrefix, fitsBackend, keyBytes, validateKey } from './kit/keys.js';
export { LOOP_STALL_MS, loopAwareTimeout } from './kit/loop.js';
export {
  backendName,
  booleanOption,
  isPlainObject,
  nonEmptyString,
  type PositiveIntegerRule,
  plainObject,
  positiveInteger,
  rejectUnknownFields,
} from './kit/options.js';
export { storedByteLength, storedBytes, storedValueFits } from './kit/stored-value.js';
export { encodeTombstone, isTombstone, stampOf } from './values/envelope.js';
