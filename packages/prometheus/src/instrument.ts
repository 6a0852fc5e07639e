import {
  BackendTimeoutError,
  ConfigError,
  type OperationTiming,
  type ResilientStore,
  ResilientStoreError,
  type StoreEvents,
  type StoreHealth,
} from '@resilient-store/core';
import { type Registry, register } from 'prom-client';
import { CounterCell } from './counter-cell.js';
import {
  BREAKER_STATES,
  type BreakerStateLabel,
  DEFAULT_DURATION_BUCKETS,
  type InstrumentedOperation,
  NO_BACKEND,
  OPERATIONS,
  type Outcome,
  REPLAY_RESULTS,
  type ReplayResult,
} from './names.js';
import { metricsOf, type RegistryMetrics } from './registry-metrics.js';

export interface InstrumentOptions {
  /** Where the metrics are registered; default: prom-client's global `register`. */
  registry?: Registry;
  /**
   * The `store` label of every series of this store; distinct per store in one registry.
   * 1 to 64 characters of `A-Z a-z 0-9 _ . : -`. Default `default`.
   */
  name?: string;
  /** Buckets of the operation duration histogram, in seconds; default 100 µs to 1 s. */
  buckets?: readonly number[];
}

/** A store's binding to its metrics. */
export interface StoreMetrics {
  /** The `store` label of this store's series. */
  readonly name: string;
  /**
   * Stops updating and removes this store's series from the registry; the store may then be
   * instrumented again. Idempotent. (Closing the store alone stops updates and keeps the
   * last values until this is called.)
   */
  close(): void;
}

/** `instrument()` was called for a store that already has metrics, or for a taken name. */
export class AlreadyInstrumentedError extends ResilientStoreError {
  constructor(message: string) {
    super('ERR_RS_ALREADY_INSTRUMENTED', message);
  }
}

const STORE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const bound = new WeakMap<ResilientStore, StoreMetrics>();

/**
 * Binds a store's events and per-operation timing to Prometheus metrics. Call it right
 * after creating the store. Metric names and labels: see the package README.
 */
export function instrument(store: ResilientStore, options: InstrumentOptions = {}): StoreMetrics {
  const name = options.name ?? 'default';
  if (typeof name !== 'string' || !STORE_NAME.test(name)) {
    throw new ConfigError(
      'name',
      `must be 1 to 64 characters of A-Z a-z 0-9 _ . : - (got ${JSON.stringify(name)})`,
    );
  }
  const buckets = validBuckets(options.buckets ?? DEFAULT_DURATION_BUCKETS);
  const registry = options.registry ?? register;
  const existing = bound.get(store);
  if (existing !== undefined) {
    throw new AlreadyInstrumentedError(
      `this store is already instrumented as "${existing.name}"; close() that binding first`,
    );
  }
  const metrics = metricsOf(registry, buckets);
  if (metrics.stores.has(name)) {
    throw new AlreadyInstrumentedError(
      `a store named "${name}" is already instrumented in this registry; give each store its own name`,
    );
  }
  const binding = new Binding(store, name, metrics);
  bound.set(store, binding);
  return binding;
}

function validBuckets(buckets: readonly number[]): readonly number[] {
  const valid =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (b, i) =>
        typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!),
    );
  if (!valid) {
    throw new ConfigError('buckets', 'must be a non-empty list of increasing positive seconds');
  }
  return [...buckets];
}

/** One backend's series, resolved once so the hot path only increments numbers. */
interface BackendSeries {
  readonly name: string;
  readonly index: number;
  /** Whether it took traffic at the last refresh; decides `skipped`. */
  available: boolean;
  readonly outcomes: Record<InstrumentedOperation, Partial<Record<Outcome, CounterCell<string>>>>;
  readonly duration: Record<InstrumentedOperation, { observe(seconds: number): void }>;
  /** The same cells by operation name, as the hot path reads them (see `Answered`). */
  readonly answered: Map<string, Answered>;
}

/**
 * What an operation a backend answered updates, in one object of a fixed shape: the hot
 * path reads plain fields instead of looking the outcome up by name.
 */
interface Answered {
  readonly hit: CounterCell<string> | undefined;
  readonly miss: CounterCell<string> | undefined;
  readonly ok: CounterCell<string> | undefined;
  readonly duration: { observe(seconds: number): void };
}

/** One backend's recovery series. */
interface JournalSeries {
  readonly labels: { readonly store: string; readonly backend: string };
  readonly overflows: CounterCell<string>;
  readonly replayed: Record<ReplayResult, CounterCell<string>>;
}

class Binding implements StoreMetrics {
  private readonly backends: BackendSeries[];
  private readonly byName = new Map<string, BackendSeries>();
  private readonly cells: CounterCell<string>[] = [];
  private readonly allFailed: Record<InstrumentedOperation, CounterCell<string>>;
  private readonly failedDuration: Record<
    InstrumentedOperation,
    { observe(seconds: number): void }
  >;
  private readonly failovers = new Map<string, CounterCell<string>>();
  private readonly recoveries = new Map<string, CounterCell<string>>();
  /** Per backend: its recovery figures, and its `{ store, backend }` labels for the gauges. */
  private readonly journals = new Map<string, JournalSeries>();
  /** The backend of the last answered operation, and its series: most calls repeat it. */
  private lastBackend: string | null | undefined;
  private lastSeries: BackendSeries | undefined;
  /** Index of the serving backend at the last refresh; -1 for none. */
  private serving = -1;
  private closed = false;

  constructor(
    private readonly store: ResilientStore,
    readonly name: string,
    private readonly metrics: RegistryMetrics,
  ) {
    metrics.stores.add(name);
    const names = store.health().backends.map((b) => b.name);
    this.backends = names.map((backend, index) => {
      const series: BackendSeries = {
        name: backend,
        index,
        available: false,
        outcomes: perOperation((operation) => {
          const cells: Partial<Record<Outcome, CounterCell<string>>> = {};
          const answered: Outcome[] = operation === 'get' ? ['hit', 'miss'] : ['ok'];
          for (const outcome of [...answered, 'error', 'timeout', 'skipped'] as const) {
            cells[outcome] = this.cell(metrics.operations, {
              store: name,
              backend,
              operation,
              outcome,
            });
          }
          return cells;
        }),
        duration: perOperation((operation) =>
          metrics.operationDuration.cell({ store: name, backend, operation }),
        ),
        answered: new Map(),
      };
      for (const operation of OPERATIONS) {
        const cells = series.outcomes[operation];
        series.answered.set(operation, {
          hit: cells.hit,
          miss: cells.miss,
          ok: cells.ok,
          duration: series.duration[operation],
        });
      }
      this.byName.set(backend, series);
      this.recoveries.set(backend, this.cell(metrics.recoveries, { store: name, backend }));
      const labels = { store: name, backend };
      // At 0 from the start: the not-draining alert asks whether its count rose.
      metrics.replayDuration.zero(labels);
      this.journals.set(backend, {
        labels,
        overflows: this.cell(metrics.journalOverflows, labels),
        replayed: Object.fromEntries(
          REPLAY_RESULTS.map((result) => [
            result,
            this.cell(metrics.replayedKeys, { ...labels, result }),
          ]),
        ) as Record<ReplayResult, CounterCell<string>>,
      });
      return series;
    });
    // Every failover a chain can report, at 0, so the first one is an increase.
    for (const from of names) {
      for (const to of [...names.filter((n) => n !== from), NO_BACKEND]) {
        this.failovers.set(
          `${from}\n${to}`,
          this.cell(metrics.failovers, { store: name, from, to }),
        );
      }
    }
    this.allFailed = perOperation((operation) =>
      this.cell(metrics.allFailed, { store: name, operation }),
    );
    this.failedDuration = perOperation((operation) =>
      metrics.operationDuration.cell({ store: name, backend: NO_BACKEND, operation }),
    );
    for (const series of this.backends) this.setBreaker(series.name, 'closed');
    this.refresh(store.health());
    this.readJournals();
    metrics.journalReaders.add(this.readJournals);

    store.on('breaker', this.onBreaker);
    store.on('failover', this.onFailover);
    store.on('recovered', this.onRecovered);
    store.on('error', this.onError);
    store.on('reconciled', this.onReconciled);
    store.on('journalOverflow', this.onJournalOverflow);
    store.observeOperations(this.observe);
    // A backend that connects during the startup grace period reports no event; look
    // again once the store is ready. A store that serves nothing then (or was closed
    // meanwhile) reports its outage by event.
    store.ready().then(
      () => {
        if (this.closed) return;
        const health = store.health();
        if (health.active !== null) this.refresh(health);
      },
      () => {},
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.observeOperations(undefined);
    this.store.off('breaker', this.onBreaker);
    this.store.off('failover', this.onFailover);
    this.store.off('recovered', this.onRecovered);
    this.store.off('error', this.onError);
    this.store.off('reconciled', this.onReconciled);
    this.store.off('journalOverflow', this.onJournalOverflow);
    const { metrics, name } = this;
    metrics.journalReaders.delete(this.readJournals);
    for (const cell of this.cells) {
      metrics.cells.delete(cell);
      cell.remove();
    }
    for (const series of this.backends) {
      const backend = series.name;
      for (const operation of OPERATIONS) {
        metrics.operationDuration.removeCell({ store: name, backend, operation });
      }
      metrics.outageDuration.remove({ store: name, backend });
      for (const state of BREAKER_STATES)
        metrics.breakerState.remove({ store: name, backend, state });
      metrics.backendAvailable.remove({ store: name, backend });
      metrics.servingBackend.remove({ store: name, backend });
      metrics.journalKeys.remove({ store: name, backend });
      metrics.journalOverflowed.remove({ store: name, backend });
      metrics.replayDuration.remove({ store: name, backend });
    }
    for (const operation of OPERATIONS) {
      metrics.operationDuration.removeCell({ store: name, backend: NO_BACKEND, operation });
    }
    metrics.servingLastResort.remove({ store: name });
    metrics.stores.delete(name);
    bound.delete(this.store);
  }

  // ------------------------------------------------------------ hot path

  /** Called by the store once per operation (see `ResilientStore#observeOperations`). */
  private readonly observe = (timing: OperationTiming): void => {
    const { backend, outcome } = timing;
    let series = this.lastSeries;
    if (backend !== this.lastBackend || series === undefined) {
      series = backend === null ? undefined : this.byName.get(backend);
      if (series === undefined) {
        this.observeAllFailed(timing);
        return;
      }
      this.lastBackend = backend;
      this.lastSeries = series;
    }
    const answered = series.answered.get(timing.operation);
    if (answered === undefined) return;
    const cell =
      outcome === 'hit'
        ? answered.hit
        : outcome === 'miss'
          ? answered.miss
          : outcome === 'ok'
            ? answered.ok
            : undefined;
    if (cell === undefined) return;
    cell.value++;
    answered.duration.observe(timing.durationMs / 1000);
    if (series.index > 0)
      this.countSkipped(series.index, timing.operation as InstrumentedOperation);
    // A backend ahead of the one believed serving answered: it came back without an event
    // (a first connection), so the gauges are stale.
    if (this.serving < 0 || series.index < this.serving) this.refresh(this.store.health());
  };

  /** An operation no backend answered. */
  private observeAllFailed(timing: OperationTiming): void {
    const operation = timing.operation as InstrumentedOperation;
    const failed = this.allFailed[operation];
    if (failed === undefined) return;
    failed.value++;
    this.failedDuration[operation].observe(timing.durationMs / 1000);
    this.countSkipped(this.backends.length, operation);
  }

  /** Backends before `until` that were not available were passed over by this operation. */
  private countSkipped(until: number, operation: InstrumentedOperation): void {
    for (let i = 0; i < until; i++) {
      const series = this.backends[i]!;
      if (!series.available) {
        const cell = series.outcomes[operation].skipped;
        if (cell !== undefined) cell.value++;
      }
    }
  }

  // ------------------------------------------------------------ events

  private readonly onError = ({ backend, operation, error }: StoreEvents['error']): void => {
    // Errors without a backend (an unreadable entry, a failed write-back) are no call's outcome.
    const series = backend === null ? undefined : this.byName.get(backend);
    const cells = series?.outcomes[operation as InstrumentedOperation];
    if (cells === undefined) return;
    const cell = error instanceof BackendTimeoutError ? cells.timeout : cells.error;
    if (cell !== undefined) cell.value++;
  };

  private readonly onBreaker = ({ backend, state }: StoreEvents['breaker']): void => {
    this.setBreaker(backend, state === 'halfOpen' ? 'half_open' : state);
    this.refresh(this.store.health());
  };

  private readonly onFailover = ({ from, to }: StoreEvents['failover']): void => {
    const cell = this.failovers.get(`${from}\n${to ?? NO_BACKEND}`);
    if (cell !== undefined) cell.value++;
    this.refresh(this.store.health());
  };

  private readonly onRecovered = ({ backend, outageMs }: StoreEvents['recovered']): void => {
    const cell = this.recoveries.get(backend);
    if (cell === undefined) return;
    cell.value++;
    this.metrics.outageDuration.observe({ store: this.name, backend }, outageMs / 1000);
    this.refresh(this.store.health());
  };

  private readonly onReconciled = (report: StoreEvents['reconciled']): void => {
    const journal = this.journals.get(report.backend);
    if (journal === undefined) return;
    const { replayed } = journal;
    replayed.written.value += report.keys - report.deleted - report.skipped;
    replayed.deleted.value += report.deleted;
    replayed.skipped.value += report.skipped;
    this.metrics.replayDuration.observe(journal.labels, report.durationMs / 1000);
  };

  private readonly onJournalOverflow = ({ backend }: StoreEvents['journalOverflow']): void => {
    const journal = this.journals.get(backend);
    if (journal !== undefined) journal.overflows.value++;
  };

  // ------------------------------------------------------------ gauges

  /** Sets the journal gauges from the store's journals; run on every scrape. */
  private readonly readJournals = (): void => {
    const { journalKeys, journalOverflowed } = this.metrics;
    for (const { backend, keys, overflowed } of this.store.journals()) {
      const journal = this.journals.get(backend);
      if (journal === undefined) continue;
      journalKeys.set(journal.labels, keys);
      journalOverflowed.set(journal.labels, overflowed ? 1 : 0);
    }
  };

  private refresh(health: StoreHealth): void {
    const { metrics, name } = this;
    this.serving = -1;
    for (const [i, backend] of health.backends.entries()) {
      const series = this.backends[i];
      if (series === undefined || series.name !== backend.name) continue;
      series.available = backend.state === 'closed';
      metrics.backendAvailable.set(
        { store: name, backend: backend.name },
        series.available ? 1 : 0,
      );
      // While disconnected health() reports `unavailable`, not the breaker, and a backend
      // left out at startup is `missing`; events keep the breaker state.
      if (backend.state !== 'unavailable' && backend.state !== 'missing') {
        this.setBreaker(backend.name, backend.state === 'halfOpen' ? 'half_open' : backend.state);
      }
      const serves = backend.name === health.active;
      if (serves) this.serving = i;
      metrics.servingBackend.set({ store: name, backend: backend.name }, serves ? 1 : 0);
    }
    const last = this.backends.length - 1;
    metrics.servingLastResort.set({ store: name }, last > 0 && this.serving === last ? 1 : 0);
  }

  private setBreaker(backend: string, current: BreakerStateLabel): void {
    for (const state of BREAKER_STATES) {
      this.metrics.breakerState.set(
        { store: this.name, backend, state },
        state === current ? 1 : 0,
      );
    }
  }

  private cell<L extends string>(
    counter: import('prom-client').Counter<L>,
    labels: import('prom-client').LabelValues<L>,
  ): CounterCell<string> {
    const cell = new CounterCell(counter, labels) as unknown as CounterCell<string>;
    this.cells.push(cell);
    this.metrics.cells.add(cell);
    return cell;
  }
}

function perOperation<T>(
  make: (operation: InstrumentedOperation) => T,
): Record<InstrumentedOperation, T> {
  return Object.fromEntries(OPERATIONS.map((op) => [op, make(op)])) as Record<
    InstrumentedOperation,
    T
  >;
}
