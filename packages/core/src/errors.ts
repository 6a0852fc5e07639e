/**
 * Typed errors. Every error the store raises on purpose extends `ResilientStoreError`
 * and carries a stable `code`, so callers can branch without parsing messages.
 */
export class ResilientStoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The caller's own mistake (a bad key, TTL or value): no backend would take it, so
 * it is never a backend failure, never failed over, and reaches the caller as is.
 */
export class InvalidInputError extends ResilientStoreError {}

/**
 * An argument of the wrong shape: `getMany`/`deleteMany`/`setMany` given something
 * other than an array, a `setMany` entry that is not an object, a `getOrSet`
 * loader that is not a function, options that are not an object.
 */
export class InvalidArgumentError extends InvalidInputError {
  constructor(message: string) {
    super('ERR_RS_INVALID_ARGUMENT', message);
  }
}

/** A key that is empty, not a string, or longer than a backend can store. */
export class InvalidKeyError extends InvalidInputError {
  constructor(message: string) {
    super('ERR_RS_INVALID_KEY', message);
  }
}

/** A TTL that is not a positive finite number of milliseconds or a duration string. */
export class InvalidTtlError extends InvalidInputError {
  constructor(message: string) {
    super('ERR_RS_INVALID_TTL', message);
  }
}

/** A value the serializer cannot encode (BigInt, cycles, functions, undefined). */
export class SerializationError extends InvalidInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_RS_SERIALIZATION', message, options);
  }
}

/** A value larger than every backend's `maxValueBytes`. */
export class ValueTooLargeError extends InvalidInputError {
  constructor(message: string) {
    super('ERR_RS_VALUE_TOO_LARGE', message);
  }
}

/**
 * A backend did not answer within its time budget. `loopStalled`: the time ran out
 * while this process's event loop was blocked (kit/loop.ts), so the backend had no
 * fair chance to answer; the store does not count such a timeout against it.
 */
export class BackendTimeoutError extends ResilientStoreError {
  readonly loopStalled: boolean;
  constructor(backend: string, ms: number, options?: { loopStalled?: boolean }) {
    const stalled = options?.loopStalled === true;
    super(
      'ERR_RS_BACKEND_TIMEOUT',
      `backend "${backend}" did not answer within ${ms} ms` +
        (stalled ? ' (this process was blocked meanwhile)' : ''),
    );
    this.loopStalled = stalled;
  }
}

/** True for a timeout that ran out while this process's event loop was blocked. */
export function isLoopStall(error: Error): boolean {
  return error instanceof BackendTimeoutError && error.loopStalled;
}

/**
 * What a backend holds under this key cannot be served as a cache entry (Redis
 * `WRONGTYPE`: another client stored a list there; a row or item that does not
 * decode): the key's problem, not the backend's. The store answers a read with a
 * miss (the next write replaces the entry), moves a write on to the next backend,
 * emits an `error` event carrying the key's hash (never the key), and does not
 * count it against the backend's breaker. A backend rejects with it, or names its
 * driver's errors of that kind with `Backend#isKeyDataError`. The message must not
 * contain the key or the value.
 */
export class KeyDataError extends ResilientStoreError {
  constructor(backend: string, detail: string) {
    super('ERR_RS_KEY_DATA', `backend "${backend}" cannot serve this key's entry: ${detail}`);
  }
}

/** A backend was not tried because it is known to be unavailable (breaker open or disconnected). */
export class BackendUnavailableError extends ResilientStoreError {
  constructor(backend: string, reason: string) {
    super('ERR_RS_BACKEND_UNAVAILABLE', `backend "${backend}" is unavailable: ${reason}`);
  }
}

/**
 * Invalid store or backend configuration; `field` names the offending option and
 * `detail` says what is wrong with it (the message is `field: detail`).
 */
export class ConfigError extends ResilientStoreError {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, detail: string, options?: { cause?: unknown }) {
    super('ERR_RS_CONFIG', `${field}: ${detail}`, options);
    this.field = field;
    this.detail = detail;
  }

  /**
   * The same error one level down in a larger configuration: `within('backends[1]')`
   * turns field `port` into `backends[1].port`.
   */
  within(parent: string): ConfigError {
    return new ConfigError(`${parent}.${this.field}`, this.detail, { cause: this });
  }
}

/**
 * A `getOrSet` loader did not settle within its `timeout`: every caller waiting
 * for it rejects with this, and the next `getOrSet` of the key starts a new load.
 */
export class LoaderTimeoutError extends ResilientStoreError {
  constructor(ms: number) {
    super('ERR_RS_LOADER_TIMEOUT', `the getOrSet loader did not settle within ${ms} ms`);
  }
}

/** The store was used after `close()`, or closed while the call was in flight. */
export class StoreClosedError extends ResilientStoreError {
  constructor() {
    super('ERR_RS_CLOSED', 'the store is closed');
  }
}

/** Every backend failed a write; `causes` lists each backend's reason. */
export class AllBackendsFailedError extends ResilientStoreError {
  readonly causes: ReadonlyArray<{ readonly backend: string; readonly error: Error }>;
  constructor(operation: string, causes: ReadonlyArray<{ backend: string; error: Error }>) {
    const detail = causes.map((c) => `${c.backend}: ${c.error.message}`).join('; ');
    super('ERR_RS_ALL_BACKENDS_FAILED', `${operation} failed on every backend (${detail})`);
    this.causes = causes;
  }
}

/** Anything thrown, as an Error (a rejection may carry any value). */
export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
