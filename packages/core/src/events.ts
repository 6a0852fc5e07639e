import { EventEmitter } from 'node:events';
import type { BreakerState } from './breaker.js';

/** Payloads of the events a store emits. Exactly one event per state transition. */
export interface StoreEvents {
  /** The backend that served (`from`) stopped serving; `to` serves now (null: none left). */
  failover: { from: string; to: string | null; reason: string };
  /** A backend that had an outage serves again. */
  recovered: { backend: string; outageMs: number };
  /** A backend's breaker changed state; `unavailable` means the backend reported a lost connection. */
  breaker: { backend: string; state: BreakerState | 'unavailable' };
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
  /** A non-fatal problem the caller did not see (a failed attempt that was failed over, a corrupt entry). */
  error: { backend: string | null; operation: string; error: Error };
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
