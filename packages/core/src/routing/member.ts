import type { Backend } from '../backend.js';
import { BackendTimeoutError, InvalidInputError, isLoopStall, toError } from '../errors.js';
import type { BreakerState } from '../events.js';
import type { BreakerOptions } from '../options.js';
import { Journal } from '../recovery/journal.js';
import { DEFAULT_MAX_JOURNAL_KEYS } from '../recovery/options.js';
import { Superseded } from '../recovery/superseded.js';
import { Breaker } from './breaker.js';
import { DeadlineEntry, type DeadlineQueue } from './deadline.js';

/** How a member's ability to serve changed; the outage reporter turns this into events. */
export type MemberChange =
  | { kind: 'breaker'; state: BreakerState }
  | { kind: 'connection'; available: boolean; cause: Error | undefined };

/** Sample one call in this many for the latency shown by `health()`. */
const LATENCY_SAMPLE_EVERY = 16;

/**
 * How many `error` events a backend's failed attempts may emit per outage, and per
 * window while it keeps serving. A hung backend fails every attempt in flight at
 * once (dozens within its timeout); the first few say what happened, the `failover`
 * event says the rest, and `failedAttempts` counts them all.
 */
export const ERROR_EVENTS_PER_WINDOW = 5;
/** The window of `ERROR_EVENTS_PER_WINDOW`, in ms. */
export const ERROR_EVENT_WINDOW_MS = 60_000;

/**
 * One backend of a store, in its place in the order of preference, with everything the store tracks about it:
 * its breaker, its connection state, its last error and recent latency.
 *
 * A member is *usable* while its breaker is closed and its connection (when the
 * backend reports one) is up. Only usable members get ordinary traffic.
 */
export class Member {
  readonly name: string;
  readonly breaker: Breaker;
  readonly timeoutMs: number;
  lastError: Error | undefined;
  latencyMs: number | undefined;
  /** When the current outage began; undefined while the member serves. */
  downSince: number | undefined;
  /** False until the backend has been reachable once (a connection still being opened is no outage). */
  everAvailable: boolean;
  /** The writes this backend missed, until they are replayed into it (recovery/). */
  journal = new Journal(DEFAULT_MAX_JOURNAL_KEYS);
  /** Its copies that a backend above took over in a replay, until removed (recovery/). */
  superseded = new Superseded(DEFAULT_MAX_JOURNAL_KEYS);
  /** Attempts that timed out while this process's event loop was blocked (not counted on the breaker). */
  stalledTimeouts = 0;
  /** Attempts that failed or timed out (counted on the breaker). */
  failedAttempts = 0;
  /** Calls about one key whose entry the backend could not serve (`KeyDataError`). */
  keyErrors = 0;
  private readonly errorEvents = new EventBudget();
  private readonly keyErrorEvents = new EventBudget();
  private available: boolean;
  private sampleCounter = 0;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    readonly backend: Backend,
    options: Required<BreakerOptions>,
    private readonly deadlines: DeadlineQueue,
    private readonly onChange: (member: Member, change: MemberChange) => void,
  ) {
    this.name = backend.name;
    this.timeoutMs = options.timeout;
    this.breaker = new Breaker(backend.name, options, (state) => {
      // Serving again after an outage: the next one gets its own events.
      if (state === 'closed') this.errorEvents.refill(Date.now());
      this.onChange(this, { kind: 'breaker', state });
    });
    const signal = backend.availability;
    this.available = signal ? signal.isAvailable() : true;
    this.everAvailable = this.available;
    this.unsubscribe = signal?.subscribe((available, cause) => {
      if (available === this.available) return;
      this.available = available;
      if (available) this.everAvailable = true;
      if (cause) this.lastError = cause;
      this.onChange(this, { kind: 'connection', available, cause });
    });
  }

  /**
   * Counts a failed attempt; true when it may also be an `error` event: at most
   * `ERROR_EVENTS_PER_WINDOW` per outage (no refill while the backend is down) and
   * per `ERROR_EVENT_WINDOW_MS` while it serves.
   */
  reportsError(): boolean {
    this.failedAttempts++;
    return this.errorEvents.take(Date.now(), this.downSince === undefined);
  }

  /** Counts a key's entry the backend could not serve; true when it may be an `error` event. */
  reportsKeyError(): boolean {
    this.keyErrors++;
    return this.keyErrorEvents.take(Date.now(), true);
  }

  /** True when the backend may take ordinary traffic now. */
  get usable(): boolean {
    return this.available && this.breaker.closed;
  }

  get connected(): boolean {
    return this.available;
  }

  /**
   * Run one call against this backend alone, bounded by `budgetMs`, and record
   * the outcome on the breaker. (Operations that go down the backends run as a
   * `Call` instead, see call.ts.) A caller error (bad input) is not the backend's failure.
   * After the deadline the call's eventual result is ignored.
   */
  call<T>(run: (backend: Backend) => Promise<T>, budgetMs: number): Promise<T> {
    return this.bounded(run, budgetMs, true);
  }

  /** The half-open probe: a bounded ping through the breaker's single probe slot. */
  probe(): Promise<unknown> {
    // opossum records the probe's outcome itself, so the call is not recorded twice.
    return this.breaker.probe(() => this.ping());
  }

  /** A bounded ping that does not count on the breaker. */
  ping(): Promise<void> {
    return this.bounded((backend) => backend.ping(), this.timeoutMs, false);
  }

  private bounded<T>(
    run: (backend: Backend) => Promise<T>,
    budgetMs: number,
    record: boolean,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new BoundedCall<T>(this, budgetMs, record, resolve, reject);
      this.deadlines.schedule(call, budgetMs);
      let pending: Promise<T>;
      try {
        pending = run(this.backend);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => call.succeed(value),
        (reason: unknown) => call.fail(toError(reason)),
      );
    });
  }

  /**
   * @internal Book-keeping of one finished call (a `Call` or a `BoundedCall`).
   * `stalled`: it timed out while this process's loop was blocked, which says nothing
   * about the backend, so nothing is recorded.
   */
  settled(
    outcome: 'success' | 'callerError' | 'stalled' | Error,
    record: boolean,
    startedAt: number,
  ): void {
    if (outcome === 'stalled') {
      this.stalledTimeouts++;
      return;
    }
    if (outcome === 'success' || outcome === 'callerError') {
      if (record) this.breaker.success();
      if (outcome === 'success' && startedAt > 0) this.recordLatency(performance.now() - startedAt);
      return;
    }
    this.lastError = outcome;
    if (record) this.breaker.failure(outcome);
  }

  close(): void {
    this.unsubscribe?.();
    this.breaker.shutdown();
  }

  /** @internal True for the one call in LATENCY_SAMPLE_EVERY whose latency is measured. */
  sampleNext(): boolean {
    return ++this.sampleCounter % LATENCY_SAMPLE_EVERY === 0;
  }

  private recordLatency(ms: number): void {
    // Exponentially weighted, so health() shows recent latency, not a lifetime average.
    this.latencyMs = this.latencyMs === undefined ? ms : this.latencyMs * 0.8 + ms * 0.2;
  }
}

/**
 * One call to a single backend under a deadline: whichever comes first — the
 * answer, the error, or the deadline — settles it; whatever comes later is ignored.
 */
class BoundedCall<T> extends DeadlineEntry {
  private done = false;

  constructor(
    private readonly member: Member,
    private readonly budgetMs: number,
    private readonly record: boolean,
    private readonly resolve: (value: T) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    super();
  }

  succeed(value: T): void {
    if (this.done) return;
    this.done = true;
    this.cancel();
    this.member.settled('success', this.record, 0);
    this.resolve(value);
  }

  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.cancel();
    this.member.settled(outcomeOf(error), this.record, 0);
    this.reject(error);
  }

  protected expire(stalled: boolean): void {
    if (this.done) return;
    this.done = true;
    const error = new BackendTimeoutError(this.member.name, this.budgetMs, {
      loopStalled: stalled,
    });
    this.member.settled(outcomeOf(error), this.record, 0);
    this.reject(error);
  }
}

/** What a failed call says about its backend: nothing, for the caller's error or a stall. */
function outcomeOf(error: Error): 'callerError' | 'stalled' | Error {
  if (error instanceof InvalidInputError) return 'callerError';
  return isLoopStall(error) ? 'stalled' : error;
}

/** `ERROR_EVENTS_PER_WINDOW` events, refilled once per window (or on recovery). */
class EventBudget {
  private left = ERROR_EVENTS_PER_WINDOW;
  private since = Number.NEGATIVE_INFINITY;

  /** One event if any is left; a new window starts only when `mayRefill`. */
  take(now: number, mayRefill: boolean): boolean {
    if (mayRefill && now - this.since >= ERROR_EVENT_WINDOW_MS) this.refill(now);
    if (this.left === 0) return false;
    this.left--;
    return true;
  }

  refill(now: number): void {
    this.left = ERROR_EVENTS_PER_WINDOW;
    this.since = now;
  }
}
