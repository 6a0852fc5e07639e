import { ConfigError } from '@resilient-store/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CellHistogram } from './cell-histogram.js';
import type { CounterCell } from './counter-cell.js';
import { METRIC, OUTAGE_BUCKETS, REPLAY_BUCKETS } from './names.js';

type OperationLabels = 'store' | 'backend' | 'operation' | 'outcome';

/**
 * The metrics of one registry, shared by every store instrumented into it: each store's
 * series differ by their `store` label. Counters are counted in `CounterCell`s and flushed
 * when the registry is scraped.
 */
export class RegistryMetrics {
  readonly operations: Counter<OperationLabels>;
  readonly allFailed: Counter<'store' | 'operation'>;
  readonly failovers: Counter<'store' | 'from' | 'to'>;
  readonly recoveries: Counter<'store' | 'backend'>;
  readonly operationDuration: CellHistogram<'store' | 'backend' | 'operation'>;
  readonly outageDuration: Histogram<'store' | 'backend'>;
  readonly breakerState: Gauge<'store' | 'backend' | 'state'>;
  readonly backendAvailable: Gauge<'store' | 'backend'>;
  readonly servingBackend: Gauge<'store' | 'backend'>;
  readonly servingLastResort: Gauge<'store'>;
  readonly journalKeys: Gauge<'store' | 'backend'>;
  readonly journalOverflowed: Gauge<'store' | 'backend'>;
  readonly journalOverflows: Counter<'store' | 'backend'>;
  readonly replayedKeys: Counter<'store' | 'backend' | 'result'>;
  readonly replayDuration: Histogram<'store' | 'backend'>;
  /** Names of the stores instrumented into this registry. */
  readonly stores = new Set<string>();
  /** Every counter series of every store here, flushed on scrape. */
  readonly cells = new Set<CounterCell<string>>();
  /** Per store: sets its journal gauges from the store's journals, on scrape. */
  readonly journalReaders = new Set<() => void>();

  constructor(
    registry: Registry,
    readonly durationBuckets: readonly number[],
  ) {
    const registers = [registry];
    const flush = () => {
      for (const cell of this.cells) cell.flush();
    };
    // Journal sizes are read when scraped, not followed write by write on the hot path.
    const readJournals = () => {
      for (const read of this.journalReaders) read();
    };
    try {
      this.operations = new Counter({
        name: METRIC.operations,
        help: 'Calls to each backend by operation and outcome: hit, miss, ok (answered), error, timeout (failed, the store moved on), skipped (passed over: not available).',
        labelNames: ['store', 'backend', 'operation', 'outcome'],
        registers,
        collect: flush,
      });
      // Every counter flushes every cell: whichever is read first (a scrape, or one
      // metric read alone) sees current values; later flushes find nothing new.
      this.allFailed = new Counter({
        name: METRIC.allFailed,
        help: 'Operations no backend could serve: reads answered a miss, writes rejected or were dropped.',
        labelNames: ['store', 'operation'],
        registers,
        collect: flush,
      });
      this.failovers = new Counter({
        name: METRIC.failovers,
        help: 'Times the serving backend stopped serving, by the backend that stopped (from) and the one serving after it (to; "none" when none was left).',
        labelNames: ['store', 'from', 'to'],
        registers,
        collect: flush,
      });
      this.recoveries = new Counter({
        name: METRIC.recoveries,
        help: 'Times a backend that had an outage served again.',
        labelNames: ['store', 'backend'],
        registers,
        collect: flush,
      });
      this.operationDuration = new CellHistogram({
        name: METRIC.operationDuration,
        help: 'Duration of store operations, failover included, by the backend that answered ("none" when every backend failed).',
        labelNames: ['store', 'backend', 'operation'],
        buckets: [...durationBuckets],
        registers,
      });
      this.outageDuration = new Histogram({
        name: METRIC.outageDuration,
        help: 'Length of finished backend outages, from failure to serving again.',
        labelNames: ['store', 'backend'],
        buckets: [...OUTAGE_BUCKETS],
        registers,
      });
      this.breakerState = new Gauge({
        name: METRIC.breakerState,
        help: 'Circuit breaker state of each backend: 1 for the current state (closed, open, half_open), 0 for the others.',
        labelNames: ['store', 'backend', 'state'],
        registers,
      });
      this.backendAvailable = new Gauge({
        name: METRIC.backendAvailable,
        help: 'Whether the backend takes traffic now (1): connected and its breaker closed.',
        labelNames: ['store', 'backend'],
        registers,
      });
      this.servingBackend = new Gauge({
        name: METRIC.servingBackend,
        help: 'The backend serving now (1); every other backend 0. All 0: no backend can serve.',
        labelNames: ['store', 'backend'],
        registers,
      });
      this.servingLastResort = new Gauge({
        name: METRIC.servingLastResort,
        help: 'Whether the last backend of a chain of two or more serves (1): every backend before it is out.',
        labelNames: ['store'],
        registers,
      });
      this.journalKeys = new Gauge({
        name: METRIC.journalKeys,
        help: 'Keys the backend missed (written while it was passed over) and that wait to be replayed into it; 0 after an overflow, see resilient_store_journal_overflowed.',
        labelNames: ['store', 'backend'],
        registers,
        collect: readJournals,
      });
      this.journalOverflowed = new Gauge({
        name: METRIC.journalOverflowed,
        help: "Whether the backend's recovery journal overflowed (1) and no longer names the keys it missed, until its replay clears the namespace on it or accepts staleness.",
        labelNames: ['store', 'backend'],
        registers,
        collect: readJournals,
      });
      this.journalOverflows = new Counter({
        name: METRIC.journalOverflows,
        help: "Times the backend's recovery journal passed recovery.maxJournalKeys.",
        labelNames: ['store', 'backend'],
        registers,
        collect: flush,
      });
      this.replayedKeys = new Counter({
        name: METRIC.replayedKeys,
        help: 'Keys replayed into a backend that had missed their writes: written back, deleted, or skipped (it held a newer value).',
        labelNames: ['store', 'backend', 'result'],
        registers,
        collect: flush,
      });
      this.replayDuration = new Histogram({
        name: METRIC.replayDuration,
        help: "Length of each finished replay of a backend's journal (its count: replays finished).",
        labelNames: ['store', 'backend'],
        buckets: [...REPLAY_BUCKETS],
        registers,
      });
    } catch (error) {
      // Typically a second copy of this package, or another library, registered these names.
      throw new ConfigError(
        'registry',
        `cannot register resilient-store metrics: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

const perRegistry = new WeakMap<Registry, RegistryMetrics>();

/** The metrics of `registry`, created on first use; buckets must agree within a registry. */
export function metricsOf(registry: Registry, durationBuckets: readonly number[]): RegistryMetrics {
  const existing = perRegistry.get(registry);
  if (existing === undefined) {
    const created = new RegistryMetrics(registry, durationBuckets);
    perRegistry.set(registry, created);
    return created;
  }
  const same =
    existing.durationBuckets.length === durationBuckets.length &&
    existing.durationBuckets.every((b, i) => b === durationBuckets[i]);
  if (!same) {
    throw new ConfigError(
      'buckets',
      `this registry already holds ${METRIC.operationDuration} with buckets [${existing.durationBuckets.join(', ')}]; every store in one registry uses the same buckets`,
    );
  }
  return existing;
}
