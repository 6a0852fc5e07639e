import { BackendTimeoutError, type CallControl } from '@resilient-store/core/backend';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';

/** What the runner needs of the backend. */
export interface QueryRunnerOptions {
  readonly pool: Pool;
  readonly backend: string;
  /** Deadline of one query, waiting for a pooled connection included. */
  readonly timeoutMs: number;
  /** The error a caller sees for a failure pg reported (it may also change the backend's state). */
  readonly failure: (error: unknown) => Error;
}

/**
 * Runs the backend's queries on pooled connections, each bounded by `timeoutMs`, with
 * one timer for all of them instead of pg's `query_timeout`, which arms and clears a
 * timer per query: on a sub-millisecond cache query that is a measurable share.
 *
 * Every query has the same budget, so a new one goes at the tail of a list kept in
 * deadline order, and finishing one unlinks it: both O(1). The single unref'd timer is
 * armed for the head; an emptied list leaves it to lapse rather than clearing it, so a
 * caller issuing one query at a time does not pay for a timer per query.
 *
 * Past its deadline a query is abandoned as pg's own timeout does it: the caller gets
 * a `BackendTimeoutError` and its connection is released as broken (pg closes it), so a
 * stuck server cannot hold the pool. The store may give up sooner through the
 * `CallControl` it passes: the caller's promise settles at once, and the query is left
 * to finish (or to meet its deadline); one still waiting for a connection is not sent.
 */
export class QueryRunner {
  readonly #options: QueryRunnerOptions;
  #head: PendingQuery | undefined;
  #tail: PendingQuery | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopping = false;

  constructor(options: QueryRunnerOptions) {
    this.#options = options;
  }

  /** Sends `config`; resolves with `pick(result)`. Sets `control.abort` when given. */
  run<T>(config: QueryConfig, pick: (result: QueryResult) => T, control?: CallControl): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const query = new PendingQuery(this, config, (error, result) => {
        if (error !== null) reject(error);
        else resolve(pick(result as QueryResult));
      });
      if (control !== undefined) control.abort = query.abort;
      this.#append(query);
      this.#options.pool.connect(query.onConnect);
    });
  }

  /** No new deadlines are expected: the timer stops once the queries in flight are done. */
  stop(): void {
    this.#stopping = true;
    if (this.#head === undefined) this.#disarm();
  }

  /** @internal */
  get options(): QueryRunnerOptions {
    return this.#options;
  }

  #append(query: PendingQuery): void {
    query.expiresAt = Date.now() + this.#options.timeoutMs;
    query.listed = true;
    query.prev = this.#tail;
    if (this.#tail === undefined) this.#head = query;
    else this.#tail.next = query;
    this.#tail = query;
    if (query.expiresAt < this.#timerAt) this.#arm(query.expiresAt);
  }

  /** @internal */
  unlink(query: PendingQuery): void {
    if (!query.listed) return;
    query.listed = false;
    if (query.prev === undefined) this.#head = query.next;
    else query.prev.next = query.next;
    if (query.next === undefined) this.#tail = query.prev;
    else query.next.prev = query.prev;
    query.prev = query.next = undefined;
    if (this.#stopping && this.#head === undefined) this.#disarm();
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, at - Date.now()));
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    while (this.#head !== undefined && this.#head.expiresAt <= now) {
      const due = this.#head;
      this.unlink(due);
      due.expire();
    }
    if (this.#head !== undefined) this.#arm(this.#head.expiresAt);
  };
}

/** `error` null: answered with `result`. */
type Settle = (error: Error | null, result: QueryResult | undefined) => void;

/** One query from its call until its connection is back in the pool. */
class PendingQuery {
  prev: PendingQuery | undefined;
  next: PendingQuery | undefined;
  expiresAt = 0;
  listed = false;
  /** The caller's promise has settled (answered, failed, abandoned). */
  #settled = false;
  /** The deadline passed and the connection was dropped: errors after that are ours. */
  #expired = false;
  #client: PoolClient | undefined;
  #release: ((error?: Error | boolean) => void) | undefined;

  constructor(
    private readonly runner: QueryRunner,
    private readonly config: QueryConfig,
    private readonly settle: Settle,
  ) {}

  /** The store gave up: answer now; a query already sent runs on. */
  readonly abort = (reason: Error): void => {
    this.#finish(reason, undefined);
  };

  // pg passes null or undefined for "no error".
  readonly onConnect = (
    error: Error | null | undefined,
    client: PoolClient | undefined,
    release: (error?: Error | boolean) => void,
  ): void => {
    if (error != null || client === undefined) {
      this.runner.unlink(this);
      this.#finish(this.runner.options.failure(error), undefined);
      return;
    }
    if (this.#settled) {
      // Abandoned while waiting for a connection: not sent at all.
      this.runner.unlink(this);
      release();
      return;
    }
    this.#client = client;
    this.#release = release;
    // A checked-out client has no error listener of the pool's: without one, a
    // connection error during the query would be an unhandled 'error' event.
    client.on('error', this.#onClientError);
    client.query(this.config, this.#onResult);
  };

  /** The deadline passed: the caller gets a timeout, the connection is dropped. */
  expire(): void {
    const { backend, timeoutMs } = this.runner.options;
    const timeout = new BackendTimeoutError(backend, timeoutMs);
    this.#expired = true;
    this.#giveBack(timeout);
    this.#finish(timeout, undefined);
  }

  readonly #onResult = (error: Error | null | undefined, result: QueryResult): void => {
    this.runner.unlink(this);
    if (error == null) {
      this.#giveBack(undefined);
      this.#finish(null, result);
    } else {
      this.#giveBack(error);
      this.#failed(error);
    }
  };

  readonly #onClientError = (error: Error): void => {
    this.runner.unlink(this);
    this.#giveBack(error);
    this.#failed(error);
  };

  /**
   * pg's error, judged by the backend even when the caller was answered already (a
   * refused connection still says the server is gone); not the one that dropping the
   * connection of an expired query causes.
   */
  #failed(error: Error): void {
    if (this.#expired) return;
    this.#finish(this.runner.options.failure(error), undefined);
  }

  /** Returns the connection once; with an error, pg closes it instead of reusing it. */
  #giveBack(error: Error | undefined): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    this.#client?.off('error', this.#onClientError);
    // After an error pg may still report more on this connection: keep them harmless.
    if (error !== undefined) this.#client?.on('error', ignore);
    release(error);
  }

  #finish(error: Error | null, result: QueryResult | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.settle(error, result);
  }
}

function ignore(): void {}
