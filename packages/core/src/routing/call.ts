/**
 * How a call travels: the attempt loop and the all-failed rule.
 *
 *   store.get(key)                    store.ts: validate and namespace the key, ask
 *     │                               Limits which backends its size fits
 *     ▼
 *   Router.run(spec, input, fits)     one Call per operation: the whole per-call
 *     │                               state, and its own deadline entry
 *     ▼
 *   Call, member by member in order   pass over a member that is not usable (breaker
 *     │                               open, connection down), that the input does
 *     │                               not fit, or whose recovery journal names a key
 *     │                               of the input (one field read while it is empty);
 *     │                               a write passed over is journaled for it
 *     ├─ spec.run(backend, input)     bounded by min(member timeout, time left), given
 *     │                               up through the backend's abort (CallControl)
 *     ├─ answer      → member.settled('success')  (a miss is a success); a copy a
 *     │                 backend above took over in a replay reads as a miss until
 *     │                 removed (recovery/superseded.ts)
 *     │                 spec.answer(value, input, codec) → the caller
 *     ├─ InvalidInputError → thrown to the caller; not the backend's failure
 *     ├─ KeyDataError (this key's entry, not the backend: Backend#isKeyDataError)
 *     │                 → not counted; an `error` event with the key's hash; a read
 *     │                   answers a miss, a write is journaled and moves on
 *     ├─ timed out while this process's event loop was blocked (deadline.ts) →
 *     │                   not counted against the backend; a write journaled, on to the next
 *     └─ error, timeout → member.settled(error) (may open its breaker), counted,
 *                         an `error` event within the member's bound (member.ts),
 *                         a write journaled for it, on to the next
 *     ▼
 *   nobody left: the all-failed rule  a read answers a miss; a write rejects with
 *                                     AllBackendsFailedError (or is dropped when
 *                                     swallowing); one log line per change, not per call
 *
 * Beside the path: member.ts turns breaker and connection changes into a member's
 * `usable`; outage-reporter.ts turns them into `failover`/`recovered` events and log
 * lines; recovery/ journals the writes a member missed and replays them into it.
 */
import type { Backend, CallControl, StoredValue } from '../backend.js';
import {
  AllBackendsFailedError,
  BackendTimeoutError,
  BackendUnavailableError,
  InvalidInputError,
  isLoopStall,
  KeyDataError,
  StoreClosedError,
  toError,
} from '../errors.js';
import type { OperationName, OperationObserver, StoreEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import type { Journal } from '../recovery/journal.js';
import type { Superseded } from '../recovery/superseded.js';
import type { ValueCodec } from '../values/codec.js';
import { DeadlineEntry, type DeadlineQueue } from './deadline.js';
import { keyHash } from './key-hash.js';
import type { Fits } from './limits.js';
import type { Member } from './member.js';

/** An attempt that failed on one backend, kept to explain an all-failed error. */
export interface Cause {
  backend: string;
  error: Error;
}

/**
 * How an operation tells recovery what it writes: once per key, the value
 * written (`undefined` for a delete) and its TTL.
 */
export type NoteWrite = (
  key: string,
  value: StoredValue | undefined,
  ttlMs: number | undefined,
) => void;

/**
 * One kind of operation (get, set, …), described once so that a call allocates no
 * closures: whether it reads or writes, how to run it on a backend, which keys it
 * touches and writes, and how a backend's answer becomes the caller's.
 */
export interface OperationSpec<I, T, R> {
  readonly name: OperationName;
  /** When every backend failed, a read answers `none`; a write rejects (or answers `none`, swallowed). */
  readonly kind: 'read' | 'write';
  /** `control` lets a backend offer a cheap way to give up on the call (see `CallControl`). */
  run(backend: Backend, input: I, control: CallControl): Promise<T>;
  /** The one key `input` is about, for events (hashed); undefined for several keys. */
  key(input: I): string | undefined;
  /** True when `journal` names a key of `input`: that backend must not serve this call. */
  covered(journal: Journal, input: I): boolean;
  /** Each write of `input` (see `NoteWrite`); absent for reads. */
  readonly writes?: (input: I, note: NoteWrite) => void;
  /**
   * For reads: `result` without the copies `superseded` names (each read as a miss).
   * Only called when the answering backend holds superseded copies (rarely: after a
   * replay into a backend above it, until their removal).
   */
  withoutSuperseded?(result: T, input: I, superseded: Superseded): T;
  /** The caller's answer from a backend's; values are decoded here and nowhere else. */
  answer(result: T, input: I, codec: ValueCodec): R;
  /** The caller's answer when no backend served and nothing is thrown: a miss, or nothing done. */
  none(input: I): R;
}

export interface RouterOptions {
  members: readonly Member[];
  events: StoreEmitter;
  logger: Logger;
  deadlines: DeadlineQueue;
  codec: ValueCodec;
  operationTimeoutMs: number;
  /** Writes resolve (after one log line) instead of rejecting when every backend failed. */
  swallowWrites: boolean;
  /**
   * `member` did not take the write `input` of `spec`: unusable, refused it,
   * failed or timed out, or it may not serve these keys yet (recovery journals them).
   */
  passedOver<I>(member: Member, spec: OperationSpec<I, unknown, unknown>, input: I): void;
  /** `member` missed a `clear(prefix)`: unusable, or its clear failed. */
  missedClear(member: Member, prefix: string): void;
}

/**
 * `clear` scans and deletes every key under a prefix, far more work than one
 * key's command, so each backend gets this many single-call budgets for it (still
 * within the operation deadline).
 */
const CLEAR_BUDGET_CALLS = 4;

/** Runs operations down the members of one store and owns the all-failed rule. */
export class Router {
  /** Receives per-operation timing while set; see `ResilientStore#observeOperations`. */
  observer: OperationObserver | undefined;
  /** True after an all-failed period was logged, until a backend serves again. */
  servingNothing = false;
  /** Set by the store's `close()`: what fails from then on failed because of it. */
  closed = false;
  readonly members: readonly Member[];
  readonly events: StoreEmitter;
  readonly deadlines: DeadlineQueue;
  readonly codec: ValueCodec;
  readonly operationTimeoutMs: number;

  constructor(private readonly options: RouterOptions) {
    this.members = options.members;
    this.events = options.events;
    this.deadlines = options.deadlines;
    this.codec = options.codec;
    this.operationTimeoutMs = options.operationTimeoutMs;
  }

  /**
   * Runs `spec` on `input`; resolves with the first backend's answer, or the
   * all-failed rule's. The operation's deadline starts here, from a clock read
   * here: after the caller's value was encoded, so the caller's own serializer
   * never eats into a backend's budget (docs/guarantees.md §2).
   */
  run<I, T, R>(spec: OperationSpec<I, T, R>, input: I, fits: Fits): Promise<R> {
    const now = Date.now();
    return new Call(this, spec, input, fits, now).start(now);
  }

  /**
   * `clear(prefix)` on every usable backend at once, so no fallback keeps stale
   * entries; fails only when every one failed.
   */
  async clear(prefix: string): Promise<void> {
    const usable = this.members.filter((m) => m.usable);
    // A backend that misses the clear has it replayed before it serves these keys again.
    const missed: Cause[] = [];
    for (const member of this.members) {
      if (member.usable) continue;
      this.options.missedClear(member, prefix);
      missed.push({
        backend: member.name,
        error: new BackendUnavailableError(
          member.name,
          member.connected ? `breaker ${member.breaker.state}` : 'disconnected',
        ),
      });
    }
    const results = await Promise.allSettled(
      usable.map((m) =>
        m.call(
          (b) => b.clear(prefix),
          Math.min(m.timeoutMs * CLEAR_BUDGET_CALLS, this.operationTimeoutMs),
        ),
      ),
    );
    if (this.closed) throw new StoreClosedError();
    const causes: Cause[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        const member = usable[i]!;
        const error = toError(r.reason);
        causes.push({ backend: member.name, error });
        missed.push({ backend: member.name, error });
        this.options.missedClear(member, prefix);
        this.events.emit('error', { backend: member.name, operation: 'clear', error });
      }
    });
    if (missed.length > 0) this.noteMissedClear(missed);
    if (causes.length < usable.length) return;
    this.writeFailed('clear', causes.length > 0 ? causes : this.unavailableCauses());
  }

  /**
   * A clear some backends missed still holds: each is journaled and serves none of
   * the cleared keys until the clear is replayed into it. One line says so, since a
   * backend that kept its entries is worth an operator's attention.
   */
  private noteMissedClear(missed: readonly Cause[]): void {
    const detail = missed.map((c) => `"${c.backend}"`).join(', ');
    this.options.logger.warn(
      {
        event: 'clearMissed',
        backends: missed.map((c) => c.backend),
        causes: missed.map((c) => `${c.backend}: ${c.error.message}`),
      },
      `clear() did not reach backend ${detail}; it serves none of the cleared keys until the clear is replayed into it (${missed.map((c) => c.error.message).join('; ')})`,
    );
  }

  /** The all-failed rule: a read is a miss; a write rejects with every cause, or is dropped. */
  allFailed<I, T, R>(spec: OperationSpec<I, T, R>, input: I, causes: Cause[]): R {
    if (spec.kind === 'read') this.noteAllFailed(spec.name, causes);
    else this.writeFailed(spec.name, causes);
    return spec.none(input);
  }

  /** Why nothing could be tried: each backend's state. */
  unavailableCauses(): Cause[] {
    return this.members.map((m) => ({
      backend: m.name,
      error: new BackendUnavailableError(
        m.name,
        m.usable
          ? 'no time left in the operation budget'
          : `breaker ${m.breaker.state}${m.connected ? '' : ', disconnected'}`,
      ),
    }));
  }

  passedOver<I>(member: Member, spec: OperationSpec<I, unknown, unknown>, input: I): void {
    this.options.passedOver(member, spec, input);
  }

  /** One line when service resumes after an all-failed period. */
  noteServingAgain(member: Member): void {
    this.servingNothing = false;
    this.options.logger.info(
      { event: 'serving', backend: member.name },
      `serving again from "${member.name}"`,
    );
  }

  /** A write failed everywhere: reject with every cause, unless swallowing. */
  private writeFailed(operation: OperationName, causes: Cause[]): void {
    this.noteAllFailed(operation, causes);
    if (!this.options.swallowWrites) throw new AllBackendsFailedError(operation, causes);
  }

  /** One log line when the store goes from serving to serving nothing, not one per call. */
  private noteAllFailed(operation: OperationName, causes: Cause[]): void {
    if (this.servingNothing) return;
    this.servingNothing = true;
    this.options.logger.error(
      {
        event: 'all-backends-failed',
        operation,
        causes: causes.map((c) => `${c.backend}: ${c.error.message}`),
      },
      'every backend failed; reads answer a miss' +
        (this.options.swallowWrites ? ' and writes are dropped' : ' and writes reject'),
    );
  }
}

/**
 * One operation on its way down the members: each usable one in order, within
 * one overall deadline, moving on after an error or a timeout.
 *
 * It is the whole per-call state in one object — the deadline entry of the
 * backend call in progress, the causes so far — because this runs on every
 * cache call. The caller's promise is the one reaction (`then`) on the backend's
 * promise, in which the answer is also decoded: the common case (the first
 * backend answers) costs this object, that reaction and nothing else. To keep
 * the deadline without a promise of its own, the call gives up on a backend
 * call through `abort`: the backend's own when it offers one (`CallControl`),
 * otherwise that of a promise wrapped around the backend's. Either way the
 * promise reacted to is settled once, so a timed-out call's late answer can
 * never reach the caller.
 */
class Call<I, T, R> extends DeadlineEntry implements CallControl {
  /** Gives up on the backend call in progress; set for each call (see `CallControl`). */
  abort: ((reason: Error) => void) | undefined = undefined;
  /** Absolute time (ms) by which the operation must settle. */
  private readonly deadline: number;
  /** When the operation began (performance.now()), only while an observer is set. */
  private readonly startedAt: number;
  /** Index in `members` of the backend being tried. */
  private index = -1;
  private budgetMs = 0;
  /** When the current backend call began, for the sampled latency; 0 when not sampled. */
  private sampledAt = 0;
  private causes: Cause[] | undefined;

  constructor(
    private readonly router: Router,
    private readonly spec: OperationSpec<I, T, R>,
    private readonly input: I,
    private readonly fits: Fits,
    now: number,
  ) {
    super();
    this.deadline = now + router.operationTimeoutMs;
    this.startedAt = router.observer === undefined ? -1 : performance.now();
  }

  /** Starts the first backend call; the promise settles with the caller's answer. */
  start(now: number): Promise<R> {
    try {
      return Promise.resolve(this.tryFrom(0, now));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The answer from the first usable backend at or after `first`; throws what the all-failed rule throws. */
  private tryFrom(first: number, now: number): R | Promise<R> {
    const { members } = this.router;
    for (let i = first; i < members.length; i++) {
      const member = members[i]!;
      // The journal check is one field read while the journal is empty.
      if (
        !member.usable ||
        !this.fits(member) ||
        (member.journal.active && this.spec.covered(member.journal, this.input))
      ) {
        if (this.spec.writes) this.router.passedOver(member, this.spec, this.input);
        continue;
      }
      const budget = Math.min(member.timeoutMs, this.deadline - now);
      if (budget <= 0) break;
      return this.callBackend(i, member, budget, now);
    }
    const causes = this.causes ?? this.router.unavailableCauses();
    if (this.startedAt >= 0) this.observe(undefined, undefined);
    return this.router.allFailed(this.spec, this.input, causes);
  }

  private callBackend(index: number, member: Member, budget: number, now: number): Promise<R> {
    this.index = index;
    this.budgetMs = budget;
    this.sampledAt = member.sampleNext() ? performance.now() : 0;
    this.abort = undefined;
    let pending: Promise<T>;
    try {
      pending = this.spec.run(member.backend, this.input, this);
    } catch (error) {
      this.abort = undefined;
      pending = Promise.reject(error);
    }
    if (this.abort === undefined) pending = abortable(pending, this);
    this.router.deadlines.scheduleAt(this, now + budget);
    return pending.then(
      (value) => this.succeed(value),
      (reason: unknown) => this.fail(reason),
    );
  }

  private succeed(answered: T): R {
    this.cancel();
    const member = this.router.members[this.index]!;
    member.settled('success', true, this.sampledAt);
    if (this.router.servingNothing) this.router.noteServingAgain(member);
    const value =
      member.superseded.active && this.spec.withoutSuperseded
        ? this.spec.withoutSuperseded(answered, this.input, member.superseded)
        : answered;
    if (this.startedAt >= 0) this.observe(value, member.name);
    return this.spec.answer(value, this.input, this.router.codec);
  }

  private fail(reason: unknown): R | Promise<R> {
    this.cancel();
    // The store closed under the call: nothing failed on its own, no backend is blamed.
    if (this.router.closed) throw new StoreClosedError();
    const member = this.router.members[this.index]!;
    const error = toError(reason);
    if (error instanceof InvalidInputError) {
      // Bad input is the caller's, not the backend's: no other backend would take it.
      member.settled('callerError', true, 0);
      throw error;
    }
    if (isKeyData(member, error)) {
      const answer = this.keyDataFailed(member, error);
      if (answer !== NEXT) return answer;
    } else {
      this.causes ??= [];
      this.causes.push({ backend: member.name, error });
      if (isLoopStall(error)) {
        // This process was blocked past the deadline: no evidence against the backend.
        member.settled('stalled', true, 0);
      } else {
        member.settled(error, true, 0);
        if (member.reportsError()) {
          this.router.events.emit('error', {
            backend: member.name,
            operation: this.spec.name,
            error,
          });
        }
      }
    }
    // A failed or timed-out write may or may not have landed: recovery counts it as not.
    if (this.spec.writes) this.router.passedOver(member, this.spec, this.input);
    return this.tryFrom(this.index + 1, Date.now());
  }

  /**
   * The backend answered, about this key's entry only: the backend is well (the
   * answer counts as one), the key is reported by its hash, never by itself. A read
   * is a miss, and the next write replaces the entry; a write moves on (`NEXT`).
   */
  private keyDataFailed(member: Member, error: Error): R | typeof NEXT {
    member.settled('success', true, 0);
    const key = this.spec.key(this.input);
    // Only the driver's words: its error object may carry the command, key and value.
    const detail =
      error instanceof KeyDataError ? error : new KeyDataError(member.name, error.message);
    if (member.reportsKeyError()) {
      this.router.events.emit('error', {
        backend: member.name,
        operation: this.spec.name,
        error: detail,
        ...(key === undefined ? {} : { keyHash: keyHash(key) }),
      });
    }
    if (this.spec.kind !== 'read') {
      this.causes ??= [];
      this.causes.push({ backend: member.name, error: detail });
      return NEXT;
    }
    if (this.startedAt >= 0) this.observe(undefined, member.name);
    return this.spec.none(this.input);
  }

  /** The deadline of the backend call passed: give up on it; its rejection moves on. */
  protected expire(stalled: boolean): void {
    const abort = this.abort;
    this.abort = undefined;
    if (abort === undefined) return;
    const member = this.router.members[this.index]!;
    try {
      abort(new BackendTimeoutError(member.name, this.budgetMs, { loopStalled: stalled }));
    } catch (error) {
      // Runs on the deadline timer: a backend's faulty abort must not crash the process.
      this.router.events.emit('error', {
        backend: member.name,
        operation: this.spec.name,
        error: toError(error),
      });
    }
  }

  /** Reports the timing; `servedBy` undefined means every backend failed. */
  private observe(result: T | undefined, servedBy: string | undefined): void {
    const failed = servedBy === undefined;
    try {
      this.router.observer?.({
        operation: this.spec.name,
        backend: servedBy ?? null,
        durationMs: performance.now() - this.startedAt,
        outcome: failed
          ? 'error'
          : this.spec.name !== 'get'
            ? 'ok'
            : result == null
              ? 'miss'
              : 'hit',
      });
    } catch {
      // A metrics observer's failure is not the caller's.
    }
  }
}

/** Whether `error` is about the key's entry, not the backend (see `KeyDataError`). */
function isKeyData(member: Member, error: Error): boolean {
  if (error instanceof KeyDataError) return true;
  try {
    return member.backend.isKeyDataError?.(error) === true;
  } catch {
    // A faulty classifier: the error stays the backend's, as without one.
    return false;
  }
}

/** `keyDataFailed`: go on to the next backend. */
const NEXT: unique symbol = Symbol('next');

/**
 * A promise settled by `pending` or by `control.abort`, whichever comes first: how
 * a call to a backend without an abort of its own is bounded.
 */
function abortable<T>(pending: Promise<T>, control: CallControl): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    control.abort = reject;
    pending.then(resolve, reject);
  });
}
