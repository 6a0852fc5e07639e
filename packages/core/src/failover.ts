import type { Backend } from './backend.js';
import { AllBackendsFailedError, BackendUnavailableError } from './errors.js';
import type { OperationName, OperationObserver, StoreEmitter } from './events.js';
import type { Fits } from './limits.js';
import type { Logger } from './logger.js';
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

/** One operation on its way down the chain. */
interface Attempt<T> {
  readonly operation: OperationName;
  readonly run: (backend: Backend) => Promise<T>;
  readonly fits: Fits;
  /** Keys a write touches; undefined for reads. */
  readonly writtenKeys: readonly string[] | undefined;
  /** Absolute time (ms) by which the operation must settle. */
  readonly deadline: number;
  causes: Cause[] | undefined;
  /** A backend before the current one was passed over. */
  skipped: boolean;
  servedBy?: string;
}

export interface FailoverOptions {
  members: readonly Member[];
  events: StoreEmitter;
  logger: Logger;
  operationTimeoutMs: number;
  /** Writes resolve (after one log line) instead of rejecting when every backend failed. */
  swallowWrites: boolean;
  /** A write was served while backends before `member` were passed over. */
  onSkippedWrite(member: Member, keys: readonly string[]): void;
}

/**
 * Runs one operation down the chain: each usable backend in order, within one
 * overall deadline, moving on after an error or a timeout. Also owns what
 * happens when nothing could serve: reads answer a miss, writes reject with
 * every cause (or are dropped), with one log line per change, not per call.
 */
export class Failover {
  /** Receives per-operation timing while set; see `ResilientStore#observeOperations`. */
  observer: OperationObserver | undefined;
  private allFailedLogged = false;

  constructor(private readonly options: FailoverOptions) {}

  /**
   * Resolves with the first answer, or `Failed` with each backend's cause.
   *
   * Written as a continuation chain rather than an async loop: the common case
   * (the first backend answers) then costs one promise and no extra ticks.
   */
  execute<T>(
    operation: OperationName,
    run: (backend: Backend) => Promise<T>,
    fits: Fits,
    writtenKeys: readonly string[] | undefined,
  ): Promise<T | Failed> {
    const attempt: Attempt<T> = {
      operation,
      run,
      fits,
      writtenKeys,
      deadline: Date.now() + this.options.operationTimeoutMs,
      causes: undefined,
      skipped: false,
    };
    const observer = this.observer;
    if (observer === undefined) return this.attemptFrom(0, attempt);
    const started = performance.now();
    return this.attemptFrom(0, attempt).then((result) => {
      observer({
        operation,
        backend: result instanceof Failed ? null : (attempt.servedBy ?? null),
        durationMs: performance.now() - started,
        outcome: result instanceof Failed ? 'error' : outcomeOf(operation, result),
      });
      return result;
    });
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
    return this.options.members.map((m) => ({
      backend: m.name,
      error: new BackendUnavailableError(
        m.name,
        m.usable
          ? 'no time left in the operation budget'
          : `breaker ${m.breaker.state}${m.connected ? '' : ', disconnected'}`,
      ),
    }));
  }

  private attemptFrom<T>(index: number, attempt: Attempt<T>): Promise<T | Failed> {
    const { members, events } = this.options;
    for (let i = index; i < members.length; i++) {
      const member = members[i]!;
      if (!member.usable) {
        attempt.skipped = true;
        continue;
      }
      if (!attempt.fits(member)) continue;
      const budget = Math.min(member.timeoutMs, attempt.deadline - Date.now());
      if (budget <= 0) break;
      if (attempt.skipped && attempt.writtenKeys) {
        this.options.onSkippedWrite(member, attempt.writtenKeys);
      }
      attempt.servedBy = member.name;
      const answer = member.call(attempt.run, budget, (error) => {
        if (isCallerError(error)) throw error;
        attempt.causes ??= [];
        attempt.causes.push({ backend: member.name, error });
        events.emit('error', { backend: member.name, operation: attempt.operation, error });
        attempt.skipped = true;
        return this.attemptFrom(i + 1, attempt);
      });
      // Only after an all-failed period: one line when service resumes.
      if (!this.allFailedLogged) return answer;
      return answer.then((result) => {
        if (!(result instanceof Failed)) this.noteServingAgain(member);
        return result;
      });
    }
    return Promise.resolve(new Failed(attempt.causes ?? this.unavailableCauses()));
  }

  /** One log line when the store goes from serving to serving nothing, not one per call. */
  private noteAllFailed(operation: OperationName, causes: Cause[]): void {
    if (this.allFailedLogged) return;
    this.allFailedLogged = true;
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

  private noteServingAgain(member: Member): void {
    this.allFailedLogged = false;
    this.options.logger.info(
      { event: 'serving', backend: member.name },
      `serving again from "${member.name}"`,
    );
  }
}

function outcomeOf(operation: OperationName, value: unknown): 'hit' | 'miss' | 'ok' {
  if (operation !== 'get') return 'ok';
  return value === undefined ? 'miss' : 'hit';
}
