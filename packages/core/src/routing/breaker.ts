import CircuitBreaker from 'opossum';
import type { BreakerState } from '../events.js';
import type { BreakerOptions } from '../options.js';

type Thunk = () => Promise<unknown>;

/** `Status#increment` exists on opossum's Status class but is missing from its typings. */
interface StatusCounter {
  increment(property: 'fires'): void;
}

/**
 * One backend's circuit breaker: opossum's state machine and rolling statistics,
 * driven without opossum's per-call machinery on the hot path.
 *
 * `CircuitBreaker#fire` costs more than half a microsecond per call (events,
 * a promise, a semaphore, an optional timer) — a visible share of a Redis round
 * trip. While the breaker is closed the store calls the backend directly and
 * records the outcome here: a success is one counter increment on opossum's
 * own `Status` window; a failure goes through `fire()` with an already-failed
 * thunk, so opossum counts it and decides, with its own rules
 * (`errorThresholdPercentage`, `volumeThreshold`), whether to open; a streak of
 * `consecutiveFailures` failures opens it as well. Open,
 * half-open and the single half-open probe are entirely opossum's.
 *
 * Deadlines are not opossum's job here (its `timeout` is off): the store bounds
 * every call with one shared deadline timer and reports a timeout as a failure.
 */
export class Breaker {
  private readonly circuit: CircuitBreaker<[Thunk], unknown>;
  private readonly status: StatusCounter;
  private readonly streakLimit: number;
  /** Failures since the last success. */
  private streak = 0;

  constructor(
    name: string,
    options: Required<BreakerOptions>,
    onStateChange: (state: BreakerState) => void,
  ) {
    this.streakLimit = options.consecutiveFailures;
    this.circuit = new CircuitBreaker((thunk: Thunk) => thunk(), {
      name,
      timeout: false,
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      resetTimeout: options.resetTimeout,
      rollingCountTimeout: options.rollingCountTimeout,
      rollingCountBuckets: options.rollingCountBuckets,
      // Percentiles are computed from every latency in the window; nobody reads them.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    this.circuit.on('close', () => {
      this.streak = 0;
    });
    this.status = this.circuit.status as unknown as StatusCounter;
    this.circuit.on('open', () => onStateChange('open'));
    this.circuit.on('halfOpen', () => onStateChange('halfOpen'));
    this.circuit.on('close', () => onStateChange('closed'));
  }

  get state(): BreakerState {
    if (this.circuit.closed) return 'closed';
    return this.circuit.halfOpen ? 'halfOpen' : 'open';
  }

  /** True when ordinary traffic may use the backend (the breaker is closed). */
  get closed(): boolean {
    return this.circuit.closed;
  }

  /**
   * Record a call that succeeded (a miss is a success). Only `fires` is counted:
   * opossum's open decision reads failures / fires, and counting `successes`
   * would also push a latency sample per call into the current bucket (tens of
   * thousands per bucket under load) that nothing here reads.
   */
  success(): void {
    this.streak = 0;
    this.status.increment('fires');
  }

  /** Record a call that failed or timed out; may open the breaker. */
  failure(error: Error): void {
    this.circuit.fire(() => Promise.reject(error)).catch(noop);
    // opossum decides on the percentage; a streak of failures decides on its own.
    if (++this.streak >= this.streakLimit && this.circuit.closed) this.circuit.open();
  }

  /**
   * Run the half-open probe through opossum: it admits exactly one, closes the
   * breaker when it succeeds and re-opens it when it fails.
   */
  probe(check: Thunk): Promise<unknown> {
    return this.circuit.fire(check);
  }

  /** Force the breaker open (e.g. when the backend reports it lost its connection). */
  open(): void {
    this.circuit.open();
  }

  shutdown(): void {
    this.circuit.shutdown();
  }
}

function noop(): void {}
