import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ResilientStore } from '@resilient-store/core';
import { type HistoryRecorder, isHistoryValue } from '../history/index.js';
import { RateLimiter } from './rate-limiter.js';
import type { ReadYourWritesChecker } from './ryw-checker.js';

export type OpName = 'get' | 'set' | 'delete';

/** One operation as the caller saw it. Times are `performance.now()` milliseconds. */
export interface OpRecord {
  readonly op: OpName;
  readonly key: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly latencyMs: number;
  readonly outcome: 'ok' | 'error';
  /** For a get that succeeded: whether it returned a value. */
  readonly hit?: boolean;
  readonly error?: string;
}

export interface LoadOptions {
  /** Operations kept in flight. Default 100. */
  concurrency?: number;
  /** Distinct keys the load spreads over. Default 300. */
  keys?: number;
  /** Share of gets and sets; the rest are deletes. Default 0.5 / 0.35 (deletes 0.15). */
  getShare?: number;
  setShare?: number;
  /**
   * Most operations started per second. Default 40 000: about what a local Redis serves
   * here with 100 in flight, so the cap barely touches the Redis phases; it keeps the
   * memory fallback, which answers in microseconds, from spinning several times faster,
   * filling the records by the million and starving the other processes on the machine.
   */
  maxRate?: number;
  /**
   * Records every operation into this history as well (for `checkHistory`). Its
   * `process` names this process in the values the load writes, so processes sharing
   * keys must each have their own name.
   */
  history?: HistoryRecorder;
}

/**
 * Keeps `concurrency` operations in flight against a store — a mix of get, set and
 * delete over a fixed set of keys — until stopped, recording every operation and
 * feeding the read-your-writes checker.
 *
 * Each worker yields to the event loop between operations: against the in-process
 * memory backend an operation settles in microtasks only, and a loop of them would
 * starve timers and sockets (the store's deadlines, the Redis reconnection, the fault
 * proxy) of the very event-loop turns the scenario depends on.
 */
export class LoadGenerator {
  readonly records: OpRecord[] = [];
  private readonly concurrency: number;
  private readonly keyCount: number;
  private readonly getShare: number;
  private readonly setShare: number;
  private readonly limiter: RateLimiter;
  private readonly history: HistoryRecorder | undefined;
  /** Written into every value (`p`), so a reader can tell which process wrote it. */
  private readonly process: string;
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly store: ResilientStore,
    private readonly checker: ReadYourWritesChecker,
    options: LoadOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 100;
    this.keyCount = options.keys ?? 300;
    this.getShare = options.getShare ?? 0.5;
    this.setShare = options.setShare ?? 0.35;
    this.limiter = new RateLimiter(options.maxRate ?? 40_000);
    this.history = options.history;
    this.process = options.history?.process ?? String(process.pid);
  }

  /** Starts the workers; they run until `stop()`. */
  start(): void {
    if (this.running) throw new Error('load already running');
    this.running = true;
    this.workers = Array.from({ length: this.concurrency }, () => this.worker());
  }

  /** Stops issuing operations and resolves once every operation in flight has settled. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /**
   * Reads every key once (a few at a time), into the history only: after recovery and
   * with the load stopped, these are the reads convergence is judged on.
   */
  async readEveryKey(concurrency = 10): Promise<void> {
    const history = this.history;
    if (history === undefined) throw new Error('readEveryKey needs a history to record into');
    let next = 0;
    const reader = async () => {
      while (next < this.keyCount) {
        const key = keyName(next++);
        await history.get(this.store, key).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, reader));
  }

  /** Records of operations that started in `[from, to)`. */
  between(from: number, to: number): OpRecord[] {
    return this.records.filter((r) => r.startedAt >= from && r.startedAt < to);
  }

  private async worker(): Promise<void> {
    while (this.running) {
      await this.limiter.take();
      if (!this.running) return;
      await this.once();
      await nextTurn();
    }
  }

  private async once(): Promise<void> {
    const key = keyName(Math.floor(Math.random() * this.keyCount));
    const draw = Math.random();
    const op: OpName =
      draw < this.getShare ? 'get' : draw < this.getShare + this.setShare ? 'set' : 'delete';
    const startedAt = performance.now();
    try {
      const hit = await this.run(op, key, startedAt);
      this.record({ op, key, startedAt, outcome: 'ok', ...(hit === undefined ? {} : { hit }) });
    } catch (error) {
      this.record({ op, key, startedAt, outcome: 'error', error: describeError(error) });
    }
  }

  /** Runs one operation; for a get, resolves with whether it hit. */
  private async run(op: OpName, key: string, startedAt: number): Promise<boolean | undefined> {
    if (op === 'get') {
      const read = this.checker.readStarted(key, startedAt);
      const value = await this.traced('read', key, undefined, () => this.store.get(key));
      // Another process's value says nothing about this process's writes: the history judges it.
      if (!isHistoryValue(value) || value.p === this.process) {
        this.checker.readFinished(read, value, performance.now());
      }
      return value !== undefined;
    }
    const version = this.checker.writeStarted(op === 'delete', startedAt);
    if (op === 'set') {
      const value = { k: key, v: version, p: this.process };
      await this.traced('set', key, version, () => this.store.set(key, value));
    } else {
      await this.traced('delete', key, version, () => this.store.delete(key));
    }
    this.checker.writeAcknowledged(key, version, performance.now());
    return undefined;
  }

  /** Makes the call, recorded in the history when there is one (with the checker's version). */
  private traced<T>(
    kind: 'read' | 'set' | 'delete',
    key: string,
    version: number | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    if (this.history === undefined) return call();
    return this.history.record(this.history.invoke(kind, key, version), call);
  }

  private record(op: Omit<OpRecord, 'endedAt' | 'latencyMs'>): void {
    const endedAt = performance.now();
    this.records.push({ ...op, endedAt, latencyMs: endedAt - op.startedAt });
  }
}

function keyName(index: number): string {
  return `k${index}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
}
