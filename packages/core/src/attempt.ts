import type { Backend } from './backend.js';
import { DeadlineEntry, type DeadlineQueue } from './deadline.js';
import { BackendTimeoutError, toError } from './errors.js';
import type { OperationName, OperationObserver, StoreEmitter } from './events.js';
import type { Fits } from './limits.js';
import { isCallerError, type Member } from './member.js';

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
  run(backend: Backend, input: I): Promise<T>;
  /** The keys a write touches; absent for reads. */
  readonly written?: (input: I) => readonly string[];
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
  /** A write is served while backends before `member` were passed over. */
  onSkippedWrite(member: Member, keys: readonly string[]): void;
  /** Why nothing could be tried: each backend's state. */
  unavailableCauses(): Cause[];
}

/**
 * One operation on its way down the chain: each usable backend in order,
 * within one overall deadline, moving on after an error or a timeout.
 *
 * It is the whole per-call state in one object — the caller's promise, the
 * deadline entry of the backend call in progress, the causes so far — because
 * this runs on every cache call: the common case (the first backend answers)
 * costs this object, one promise for the caller and one reaction on the
 * backend's promise, and the answer is decoded in that same reaction rather
 * than in another `then`. A backend call that is abandoned (timed out) may
 * still settle later; its number (`tries`) is no longer current and it is ignored,
 * so timed-out work can never reach the caller.
 */
export class Attempt<I, T, R> extends DeadlineEntry {
  private resolve: (value: R) => void = noop;
  private reject: (reason: unknown) => void = noop;
  /** Absolute time (ms) by which the operation must settle. */
  private readonly deadline: number;
  /** When the operation began (performance.now()), only while an observer is set. */
  private readonly startedAt: number;
  /** Index in `members` of the backend being tried. */
  private index = -1;
  /** Counts backend calls; a result whose number is not current is stale. */
  private tries = 0;
  private budgetMs = 0;
  /** When the current backend call began, for the sampled latency; 0 when not sampled. */
  private sampledAt = 0;
  private done = false;
  /** A backend before the current one was passed over. */
  private skipped = false;
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
    const answer = new Promise<R>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.tryFrom(0, now);
    return answer;
  }

  private tryFrom(first: number, now: number): void {
    const { members } = this.host;
    for (let i = first; i < members.length; i++) {
      const member = members[i]!;
      if (!member.usable) {
        this.skipped = true;
        continue;
      }
      if (!this.fits(member)) continue;
      const budget = Math.min(member.timeoutMs, this.deadline - now);
      if (budget <= 0) break;
      const written = this.spec.written;
      if (this.skipped && written) this.host.onSkippedWrite(member, written(this.input));
      this.callBackend(i, member, budget, now);
      return;
    }
    this.finish(new Failed(this.causes ?? this.host.unavailableCauses()));
  }

  private callBackend(index: number, member: Member, budget: number, now: number): void {
    const tries = ++this.tries;
    this.index = index;
    this.budgetMs = budget;
    this.sampledAt = member.sampleNext() ? performance.now() : 0;
    this.host.deadlines.scheduleAt(this, now + budget);
    let pending: Promise<T>;
    try {
      pending = this.spec.run(member.backend, this.input);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => this.succeed(tries, value),
      (reason: unknown) => this.fail(tries, reason),
    );
  }

  private succeed(tries: number, value: T): void {
    if (tries !== this.tries || this.done) return;
    this.cancel();
    const member = this.host.members[this.index]!;
    member.settled('success', true, this.sampledAt);
    if (this.host.servingNothing) this.host.noteServingAgain(member);
    this.finish(value, member.name);
  }

  private fail(tries: number, reason: unknown): void {
    if (tries !== this.tries || this.done) return;
    this.cancel();
    const member = this.host.members[this.index]!;
    const error = toError(reason);
    if (isCallerError(error)) {
      // Bad input is the caller's, not the backend's: no other backend would take it.
      member.settled('callerError', true, 0);
      this.done = true;
      this.reject(error);
      return;
    }
    member.settled(error, true, 0);
    this.moveOn(member, error);
  }

  protected expire(): void {
    if (this.done) return;
    const member = this.host.members[this.index]!;
    const error = new BackendTimeoutError(member.name, this.budgetMs);
    member.settled(error, true, 0);
    this.moveOn(member, error);
  }

  private moveOn(member: Member, error: Error): void {
    this.causes ??= [];
    this.causes.push({ backend: member.name, error });
    this.host.events.emit('error', { backend: member.name, operation: this.spec.name, error });
    this.skipped = true;
    this.tryFrom(this.index + 1, Date.now());
  }

  private finish(result: T | Failed, servedBy?: string): void {
    this.done = true;
    if (this.startedAt >= 0) this.observe(result, servedBy);
    let answer: R;
    try {
      answer = this.spec.settle(result, this.input);
    } catch (error) {
      this.reject(error);
      return;
    }
    this.resolve(answer);
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

function noop(): void {}
