import { EventEmitter } from 'node:events';

/**
 * What a store tells its operators: events, per-operation timing and health.
 * These types are the public face of routing/ and do not depend on its parts.
 */

/** A circuit breaker's state: `closed` serves, `open` refuses, `halfOpen` lets one probe through. */
export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** Payloads of the events a store emits. Exactly one event per state transition. */
export interface StoreEvents {
  /** The backend that served (`from`) stopped serving; `to` serves now (null: none left). */
  failover: { from: string; to: string | null; reason: string };
  /** A backend that had an outage serves again. */
  recovered: { backend: string; outageMs: number };
  /** A backend's breaker changed state (a lost connection shows as the breaker opening). */
  breaker: { backend: string; state: BreakerState };
  /**
   * Writes a backend missed were replayed into it: `keys` replayed, of which
   * `deleted` were deleted there and `skipped` already held a newer value.
   */
  reconciled: {
    backend: string;
    keys: number;
    deleted: number;
    skipped: number;
    durationMs: number;
  };
  /** A backend's recovery journal passed `limit` keys; see `recovery.onOverflow`. */
  journalOverflow: { backend: string; limit: number };
  /**
   * A non-fatal problem the caller did not see: a failed attempt that was failed
   * over, an entry a backend cannot serve (`KeyDataError`, with `keyHash`), a corrupt
   * entry. Bounded: per backend at most `ERROR_EVENTS_PER_WINDOW` (5) for its failures
   * per outage, and as many per minute while it keeps serving; as many for key
   * errors per minute. Every one is counted in `health()` (`failedAttempts`, `keyErrors`).
   */
  error: {
    backend: string | null;
    operation: string;
    error: Error;
    /** The stored key's hash (see `keyHash`), when the error is about one key's entry; never the key. */
    keyHash?: string;
  };
}

export type StoreEventName = keyof StoreEvents;
export type StoreListener<E extends StoreEventName> = (payload: StoreEvents[E]) => void;

/** Per-operation timing, for metrics. Only measured while an observer is set. */
export interface OperationTiming {
  operation: OperationName;
  /** Backend that answered, or null when every backend failed. */
  backend: string | null;
  durationMs: number;
  outcome: 'hit' | 'miss' | 'ok' | 'error';
}

export type OperationName =
  | 'get'
  | 'getMany'
  | 'set'
  | 'setMany'
  | 'delete'
  | 'deleteMany'
  | 'clear';

export type OperationObserver = (timing: OperationTiming) => void;

export interface BackendHealth {
  name: string;
  /**
   * Breaker state; `unavailable` while the backend reports a lost connection;
   * `missing` for a configured backend `createStore` left out (its package or
   * driver is not installed, or it could not be built), `lastError` saying why.
   */
  state: BreakerState | 'unavailable' | 'missing';
  /** Message of the last error seen on this backend, if any. */
  lastError: string | undefined;
  /** Recent latency (exponentially weighted, sampled), in ms; undefined before any call. */
  latencyMs: number | undefined;
  /** Attempts that failed or timed out on this backend since the store opened (for metrics; events are bounded). */
  failedAttempts: number;
  /** Timeouts that ran out while this process's event loop was blocked: not counted against the backend. */
  stalledTimeouts: number;
  /** Reads and writes of one key whose entry this backend could not serve (`KeyDataError`). */
  keyErrors: number;
}

/**
 * How long this process's event loop was blocked lately, beyond its ordinary
 * scheduling: a blocked loop delays every reply, so this tells a slow process from
 * a slow backend. Measured with `perf_hooks.monitorEventLoopDelay`.
 */
export interface EventLoopHealth {
  /** 99th percentile of the loop's delay over the window, in ms. */
  delayP99Ms: number;
  /** Longest delay over the window, in ms. */
  delayMaxMs: number;
  /**
   * How long the window is, in ms: since the store was created or since a `health()`
   * call found the previous window at least 10 s old and started a new one.
   */
  windowMs: number;
}

export interface StoreHealth {
  /**
   * `ok`: the first backend serves and every configured one is there; `degraded`: a
   * fallback serves, or a configured backend is missing; `down`: none can serve.
   */
  status: 'ok' | 'degraded' | 'down';
  /** Name of the backend serving now, or null. */
  active: string | null;
  backends: BackendHealth[];
  eventLoop: EventLoopHealth;
}

/** A backend's recovery journal: the writes it missed, waiting to be replayed into it. */
export interface JournalHealth {
  backend: string;
  /** Keys the journal names (0 once it overflowed: it then covers every key, see `overflowed`). */
  keys: number;
  /** The journal passed `recovery.maxJournalKeys`; true until the replay resolves the overflow. */
  overflowed: boolean;
}

/**
 * A typed wrapper around EventEmitter. `error` is special in Node (it throws when
 * nobody listens); here it is an ordinary, optional event.
 */
export class StoreEmitter {
  private readonly emitter = new EventEmitter();

  on<E extends StoreEventName>(event: E, listener: StoreListener<E>): void {
    this.emitter.on(event, listener);
  }

  once<E extends StoreEventName>(event: E, listener: StoreListener<E>): void {
    this.emitter.once(event, listener);
  }

  off<E extends StoreEventName>(event: E, listener: StoreListener<E>): void {
    this.emitter.off(event, listener);
  }

  emit<E extends StoreEventName>(event: E, payload: StoreEvents[E]): void {
    if (this.emitter.listenerCount(event) === 0) return;
    // A throwing listener must not break the store's own bookkeeping.
    // rawListeners keeps `once` wrappers, so a once-listener is removed as it runs.
    for (const listener of this.emitter.rawListeners(event)) {
      try {
        (listener as StoreListener<E>)(payload);
      } catch {
        // Listener errors are the listener's business.
      }
    }
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
