import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { memoryBackend, ResilientStore } from '@resilient-store/core';
import type { PostgresBackend } from '../../src/index.js';
import { untilAvailable } from '../helpers.js';

/** Operation timeout of the scenario stores: the store's default. */
export const OPERATION_TIMEOUT_MS = 1_000;

/**
 * Slack on top of the operation timeout before an operation counts as late: this
 * 2-core machine runs other suites beside this one. It separates "bounded" from
 * "hung", it is not a latency target.
 */
const LATENESS_SLACK_MS = 1_500;

export interface LoadReport {
  readonly operations: number;
  /** Errors a caller saw; a working fallback means there must be none. */
  readonly errors: readonly string[];
  /** Operations slower than the operation timeout plus slack. */
  readonly late: number;
  readonly slowestMs: number;
}

/** A `[postgres, memory]` store under steady load, with its events recorded. */
export class Scenario {
  readonly failovers: Array<{ from: string; to: string | null; reason: string }> = [];
  readonly recoveries: string[] = [];
  readonly rejections: unknown[] = [];
  #errors: string[] = [];
  #operations = 0;
  #late = 0;
  #slowestMs = 0;
  #running = false;
  #workers: Promise<void>[] = [];
  readonly #onRejection = (reason: unknown) => {
    this.rejections.push(reason);
  };

  private constructor(
    readonly store: ResilientStore,
    readonly backend: PostgresBackend,
  ) {
    store.on('failover', (event) => this.failovers.push(event));
    store.on('recovered', (event) => this.recoveries.push(event.backend));
    process.on('unhandledRejection', this.#onRejection);
  }

  /** Builds the store; with `waitForPostgres` (default) resolves once PostgreSQL serves. */
  static async start(backend: PostgresBackend, waitForPostgres = true): Promise<Scenario> {
    if (waitForPostgres) await untilAvailable(backend.availability);
    const store = new ResilientStore({
      backends: [backend, memoryBackend()],
      operationTimeout: OPERATION_TIMEOUT_MS,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    return new Scenario(store, backend);
  }

  /** Starts `workers` loops of set-then-get on their own keys. */
  startLoad(workers = 10): void {
    this.#running = true;
    for (let w = 0; w < workers; w++) this.#workers.push(this.#work(w));
  }

  async stopLoad(): Promise<LoadReport> {
    this.#running = false;
    await Promise.all(this.#workers.splice(0));
    return {
      operations: this.#operations,
      errors: this.#errors,
      late: this.#late,
      slowestMs: Math.round(this.#slowestMs),
    };
  }

  /** Which backend serves now, by the store's own account. */
  active(): string | null {
    return this.store.health().active;
  }

  /** Polls until `active()` is `name`; rejects after `ms` saying what served instead. */
  async until(name: string, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.active() !== name) {
      if (Date.now() > deadline) {
        throw new Error(
          `expected ${name} to serve within ${ms} ms; serving: ${this.active()}, health: ${JSON.stringify(this.store.health())}`,
        );
      }
      await sleep(25);
    }
  }

  /** Load keeps going for at least `operations` more operations (so a state is exercised, not just entered). */
  async whileServing(operations = 200, ms = 20_000): Promise<void> {
    const target = this.#operations + operations;
    const deadline = Date.now() + ms;
    while (this.#operations < target) {
      if (Date.now() > deadline) throw new Error(`load stalled at ${this.#operations} operations`);
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    if (this.#running) await this.stopLoad();
    await this.store.close();
    process.off('unhandledRejection', this.#onRejection);
  }

  async #work(worker: number): Promise<void> {
    let i = 0;
    while (this.#running) {
      const key = `load:${worker}:${i % 20}`;
      await this.#timed(() => this.store.set(key, { worker, i }, { ttl: 60_000 }), 'set');
      await this.#timed(() => this.store.get(key), 'get');
      i++;
      // A fallback answering from memory resolves in microtasks only; yield so timers run.
      await nextTurn();
    }
  }

  async #timed(operation: () => Promise<unknown>, name: string): Promise<void> {
    const started = performance.now();
    try {
      await operation();
    } catch (error) {
      this.#errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const elapsed = performance.now() - started;
    this.#operations++;
    if (elapsed > this.#slowestMs) this.#slowestMs = elapsed;
    if (elapsed > OPERATION_TIMEOUT_MS + LATENESS_SLACK_MS) this.#late++;
  }
}

/** Resources of each type beyond `baseline` after up to `settleMs`: what close() left behind. */
export async function leftovers(baseline: ReadonlyMap<string, number>, settleMs = 1_000) {
  const until = Date.now() + settleMs;
  for (;;) {
    const excess = [...countResources()]
      .filter(([type, n]) => n > (baseline.get(type) ?? 0))
      .map(([type, n]) => `${type}: +${n - (baseline.get(type) ?? 0)}`);
    if (excess.length === 0 || Date.now() >= until) return excess;
    await sleep(50);
  }
}

export function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

export interface Outage {
  /** Puts the fault in place. */
  inject(): Promise<unknown>;
  /** Takes it away again. */
  heal(): Promise<unknown>;
}

/**
 * The shape every outage scenario checks: PostgreSQL serves under load, the fault moves
 * the store to memory, healing brings it back to PostgreSQL, and across all of it no
 * caller saw an error, no operation outlived its deadline, nothing was rejected
 * unhandled. Returns the load report for scenario-specific checks.
 */
export async function runOutage(run: Scenario, outage: Outage): Promise<LoadReport> {
  run.startLoad();
  await run.until('postgres');
  await run.whileServing();
  await outage.inject();
  await run.until('memory');
  await run.whileServing();
  await outage.heal();
  await run.until('postgres');
  await run.whileServing();
  const report = await run.stopLoad();
  if (report.errors.length > 0 || report.late > 0) {
    throw new Error(`caller-visible trouble: ${JSON.stringify(report)}`);
  }
  if (run.failovers.length === 0 || !run.recoveries.includes('postgres')) {
    throw new Error(
      `expected a failover and a recovery, saw ${JSON.stringify({ failovers: run.failovers, recoveries: run.recoveries })}`,
    );
  }
  return report;
}
