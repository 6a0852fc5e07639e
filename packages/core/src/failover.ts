import { Attempt, type Cause, Failed, type OperationSpec } from './attempt.js';
import type { DeadlineQueue } from './deadline.js';
import { AllBackendsFailedError, BackendUnavailableError } from './errors.js';
import type { OperationName, OperationObserver, StoreEmitter } from './events.js';
import type { Fits } from './limits.js';
import type { Logger } from './logger.js';
import type { Member } from './member.js';

export { type Cause, Failed, type OperationSpec } from './attempt.js';

export interface FailoverOptions {
  members: readonly Member[];
  events: StoreEmitter;
  logger: Logger;
  deadlines: DeadlineQueue;
  operationTimeoutMs: number;
  /** Writes resolve (after one log line) instead of rejecting when every backend failed. */
  swallowWrites: boolean;
  /** `member` did not take a write (see `AttemptHost.passedOver`). */
  passedOver<I>(member: Member, spec: OperationSpec<I, unknown, unknown>, input: I): void;
}

/**
 * Runs operations down the chain (each one an `Attempt`) and owns what happens
 * when nothing could serve: reads answer a miss, writes reject with every cause
 * (or are dropped), with one log line per change, not per call.
 */
export class Failover {
  /** Receives per-operation timing while set; see `ResilientStore#observeOperations`. */
  observer: OperationObserver | undefined;
  /** True after an all-failed period was logged, until a backend serves again. */
  servingNothing = false;
  readonly members: readonly Member[];
  readonly events: StoreEmitter;
  readonly deadlines: DeadlineQueue;

  constructor(private readonly options: FailoverOptions) {
    this.members = options.members;
    this.events = options.events;
    this.deadlines = options.deadlines;
  }

  /**
   * Runs `spec` on `input`; resolves with `spec.settle` of the first answer, or of
   * `Failed`. `now` may be passed by a caller that has just read the clock.
   */
  execute<I, T, R>(
    spec: OperationSpec<I, T, R>,
    input: I,
    fits: Fits,
    now = Date.now(),
  ): Promise<R> {
    return new Attempt(this, spec, input, fits, now, this.options.operationTimeoutMs).start(now);
  }

  /** The answer of a read; a miss when every backend failed. */
  readResult<T>(operation: OperationName, result: T | Failed): T | undefined {
    if (!(result instanceof Failed)) return result;
    this.noteAllFailed(operation, result.causes);
    return undefined;
  }

  /** The answer of a write; when every backend failed, reject or (configured so) resolve. */
  writeResult<T>(operation: OperationName, result: T | Failed): T | undefined {
    if (!(result instanceof Failed)) return result;
    this.allFailed(operation, result.causes);
    return undefined;
  }

  /** A write failed everywhere: reject with every cause, or log and resolve when swallowing. */
  allFailed(operation: OperationName, causes: Cause[]): void {
    this.noteAllFailed(operation, causes);
    if (!this.options.swallowWrites) throw new AllBackendsFailedError(operation, causes);
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
