import { DeadlineQueue } from './deadline.js';

/** What a load may ask of its flight while it runs. */
export interface FlightState {
  /**
   * False once a later write of the key (`set`, `delete`, `clear`), the flight's
   * timeout or the store's close made this load's result older than what callers
   * should see next: the load must not write it to the cache then.
   */
  readonly current: boolean;
}

/** One load in flight: the promise its callers share, settled once, early if need be. */
class Flight implements FlightState {
  current = true;
  readonly promise: Promise<unknown>;
  private settled = false;
  private resolveWith!: (value: unknown) => void;
  private rejectWith!: (reason: unknown) => void;
  /** Cancels the flight's timeout; set once the timeout is armed. */
  cancelTimeout: () => void = () => {};

  constructor() {
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolveWith = resolve;
      this.rejectWith = reject;
    });
  }

  resolve(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.cancelTimeout();
    this.resolveWith(value);
  }

  reject(reason: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.cancelTimeout();
    this.rejectWith(reason);
  }
}

/**
 * Coalesces concurrent loads of one key: while a load is in flight, later
 * callers for the same key wait for it instead of starting their own.
 *
 * A flight never outlives what it was for: it is released (a later caller starts
 * a new load) when it settles — so an error is not cached —, when its timeout
 * passes (every waiting caller rejects with the timeout's error; the load's late
 * result is dropped), and when the key is written meanwhile (`detach`: callers
 * already waiting get the load's result, later ones do not join it, and the load
 * does not write over the newer value). `closeAll` rejects every waiting caller.
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Flight>();
  /** Every flight not settled yet, detached ones too: `closeAll` settles them all. */
  private readonly unsettled = new Set<Flight>();
  /**
   * Loader timeouts on a queue of their own: they are far longer than a backend
   * call's, and mixed into the store's queue every call's deadline would be
   * inserted behind them.
   */
  private readonly timeouts = new DeadlineQueue();

  /**
   * The result of `load` for `key`, shared with every caller that asks while it
   * runs; rejects with `onTimeout()` once `timeoutMs` passed.
   */
  run<T>(
    key: string,
    timeoutMs: number,
    onTimeout: () => Error,
    load: (flight: FlightState) => Promise<T>,
  ): Promise<T> {
    const existing = this.inFlight.get(key);
    if (existing) return existing.promise as Promise<T>;
    const flight = new Flight();
    this.inFlight.set(key, flight);
    this.unsettled.add(flight);
    const timeout = this.timeouts.add(timeoutMs, () => {
      this.release(key, flight);
      this.unsettled.delete(flight);
      flight.reject(onTimeout());
    });
    flight.cancelTimeout = () => timeout.cancel();
    let pending: Promise<T>;
    try {
      pending = load(flight);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        this.release(key, flight);
        this.unsettled.delete(flight);
        flight.resolve(value);
      },
      (reason: unknown) => {
        this.release(key, flight);
        this.unsettled.delete(flight);
        flight.reject(reason);
      },
    );
    return flight.promise as Promise<T>;
  }

  /** `key` was written: a load begun before must neither be joined nor write its result. */
  detach(key: string): void {
    // The check every write makes: one field read while nothing is in flight.
    if (this.inFlight.size === 0) return;
    const flight = this.inFlight.get(key);
    if (flight) this.release(key, flight);
  }

  /** Every key was written (a `clear()`): as `detach` for each flight. */
  detachAll(): void {
    for (const flight of this.inFlight.values()) flight.current = false;
    this.inFlight.clear();
  }

  /** The store closes: every waiting caller rejects with `error`; no timer is left. */
  closeAll(error: Error): void {
    const flights = [...this.unsettled];
    this.unsettled.clear();
    this.detachAll();
    for (const flight of flights) flight.reject(error);
    this.timeouts.clear();
  }

  private release(key: string, flight: Flight): void {
    flight.current = false;
    if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
  }
}
