import type { Backend, CallControl, StoredValue } from './backend.js';
import { DeadlineEntry, type DeadlineQueue } from './deadline.js';
import { BackendTimeoutError, toError } from './errors.js';
import type { OperationName, OperationObserver, StoreEmitter } from './events.js';
import type { Fits } from './limits.js';
import { isCallerError, type Member } from './member.js';
import type { Journal } from './recovery/journal.js';

/**
 * How an operation tells recovery what it writes: once per key, the value
 * written (`undefined` for a delete) and its TTL.
 */
export type NoteWrite = (
  key: string,
  value: StoredValue | undefined,
  ttlMs: number | undefined,
) => void;

/** An attempt that failed on one backend, kept to explain an all-failed error. */
export interface Cause {
  backend: string;
  error: Error;
}

/** The result of an operation that no backend could serve. */
export class Failed {
  constructor(readonly causes: Cause[]) {}
}

/**
 * One kind of operation (get, set, …), described once per store so that a call
 * allocates no closures: how to run it on a backend, which keys it writes, and
 * how a result (or `Failed`) becomes the caller's answer.
 */
export interface OperationSpec<I, T, R> {
  readonly name: OperationName;
  /** `control` lets a backend offer a cheap way to give up on the call (see `CallControl`). */
  run(backend: Backend, input: I, control: CallControl): Promise<T>;
  /** True when `journal` names a key of `input`: that backend must not serve this call. */
  covered(journal: Journal, input: I): boolean;
  /** Each write of `input` (see `NoteWrite`); absent for reads. */
  readonly writes?: (input: I, note: NoteWrite) => void;
  /** The caller's answer; may throw (a write that failed everywhere). */
  settle(result: T | Failed, input: I): R;
}

/** What an attempt needs from the failover that started it. */
export interface AttemptHost {
  readonly members: readonly Member[];
  readonly events: StoreEmitter;
  readonly deadlines: DeadlineQueue;
  readonly observer: OperationObserver | undefined;
  /** True after an all-failed period, until a backend serves again. */
  readonly servingNothing: boolean;
  noteServingAgain(member: Member): void;
  /**
   * `member` did not take the write `input` of `spec`: unusable, refused it,
   * failed or timed out, or it may not serve these keys (recovery journals them).
   */
  passedOver<I>(member: Member, spec: OperationSpec<I, unknown, unknown>, input: I): void;
  /** Why nothing could be tried: each backend's state. */
  unavailableCauses(): Cause[];
}

/**
 * One operation on its way down the chain: each usable backend in order,
 * within one overall deadline, moving on after an error or a timeout.
 *
 * It is the whole per-call state in one object — the deadline entry of the
 * backend call in progress, the causes so far — because this runs on every
 * cache call. The caller's promise is the one reaction (`then`) on the backend's
 * promise, in which the answer is also decoded: the common case (the first
 * backend answers) costs this object, that reaction and nothing else. To keep
 * the deadline without a promise of its own, the attempt gives up on a backend
 * call through `abort`: the backend's own when it offers one (`CallControl`),
 * otherwise that of a promise wrapped around the backend's. Either way the
 * promise reacted to is settled once, so a timed-out call's late answer can
 * never reach the caller.
 */
export class Attempt<I, T, R> extends DeadlineEntry implements CallControl {
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
    private readonly host: AttemptHost,
    private readonly spec: OperationSpec<I, T, R>,
    private readonly input: I,
    private readonly fits: Fits,
    now: number,
    operationTimeoutMs: number,
  ) {
    super();
    this.deadline = now + operationTimeoutMs;
    this.startedAt = host.observer === undefined ? -1 : performance.now();
  }

  /** Starts the first backend call; the promise settles with `spec.settle`'s answer. */
  start(now: number): Promise<R> {
    try {
      return Promise.resolve(this.tryFrom(0, now));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The answer from the first usable backend at or after `first`; throws what `settle` throws. */
  private tryFrom(first: number, now: number): R | Promise<R> {
    const { members } = this.host;
    for (let i = first; i < members.length; i++) {
      const member = members[i]!;
      // The journal check is one field read while the journal is empty.
      if (
        !member.usable ||
        !this.fits(member) ||
        (member.journal.active && this.spec.covered(member.journal, this.input))
      ) {
        if (this.spec.writes) this.host.passedOver(member, this.spec, this.input);
        continue;
      }
      const budget = Math.min(member.timeoutMs, this.deadline - now);
      if (budget <= 0) break;
      return this.callBackend(i, member, budget, now);
    }
    return this.finish(new Failed(this.causes ?? this.host.unavailableCauses()));
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
    this.host.deadlines.scheduleAt(this, now + budget);
    return pending.then(
      (value) => this.succeed(value),
      (reason: unknown) => this.fail(reason),
    );
  }

  private succeed(value: T): R {
    this.cancel();
    const member = this.host.members[this.index]!;
    member.settled('success', true, this.sampledAt);
    if (this.host.servingNothing) this.host.noteServingAgain(member);
    return this.finish(value, member.name);
  }

  private fail(reason: unknown): R | Promise<R> {
    this.cancel();
    const member = this.host.members[this.index]!;
    const error = toError(reason);
    if (isCallerError(error)) {
      // Bad input is the caller's, not the backend's: no other backend would take it.
      member.settled('callerError', true, 0);
      throw error;
    }
    member.settled(error, true, 0);
    return this.moveOn(member, error);
  }

  /** The deadline of the backend call passed: give up on it; its rejection moves on. */
  protected expire(): void {
    const abort = this.abort;
    this.abort = undefined;
    if (abort === undefined) return;
    const member = this.host.members[this.index]!;
    try {
      abort(new BackendTimeoutError(member.name, this.budgetMs));
    } catch (error) {
      // Runs on the deadline timer: a backend's faulty abort must not crash the process.
      this.host.events.emit('error', {
        backend: member.name,
        operation: this.spec.name,
        error: toError(error),
      });
    }
  }

  private moveOn(member: Member, error: Error): R | Promise<R> {
    this.causes ??= [];
    this.causes.push({ backend: member.name, error });
    this.host.events.emit('error', { backend: member.name, operation: this.spec.name, error });
    // A failed or timed-out write may or may not have landed: recovery counts it as not.
    if (this.spec.writes) this.host.passedOver(member, this.spec, this.input);
    return this.tryFrom(this.index + 1, Date.now());
  }

  /** The caller's answer; throws when `settle` does (a write that failed everywhere). */
  private finish(result: T | Failed, servedBy?: string): R {
    if (this.startedAt >= 0) this.observe(result, servedBy);
    return this.spec.settle(result, this.input);
  }

  private observe(result: T | Failed, servedBy: string | undefined): void {
    const failed = result instanceof Failed;
    try {
      this.host.observer?.({
        operation: this.spec.name,
        backend: failed ? null : (servedBy ?? null),
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
