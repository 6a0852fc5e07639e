/**
 * Every metric this package exports, by name. The dashboard, the alert rules and the
 * tests refer to these, so a renamed metric breaks them loudly instead of silently.
 */
export const METRIC = {
  operations: 'resilient_store_operations_total',
  operationDuration: 'resilient_store_operation_duration_seconds',
  allFailed: 'resilient_store_all_failed_operations_total',
  breakerState: 'resilient_store_breaker_state',
  backendAvailable: 'resilient_store_backend_available',
  servingBackend: 'resilient_store_serving_backend',
  servingLastResort: 'resilient_store_serving_last_resort',
  failovers: 'resilient_store_failovers_total',
  recoveries: 'resilient_store_recoveries_total',
  outageDuration: 'resilient_store_outage_duration_seconds',
  journalKeys: 'resilient_store_journal_keys',
  journalOverflowed: 'resilient_store_journal_overflowed',
  journalOverflows: 'resilient_store_journal_overflows_total',
  replayedKeys: 'resilient_store_replayed_keys_total',
  replayDuration: 'resilient_store_replay_duration_seconds',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/**
 * Label values. Every label has a small closed set of values or one value per configured
 * backend: no key, no value, no error message ever becomes a label.
 */
export const OPERATIONS = ['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany'] as const;
export type InstrumentedOperation = (typeof OPERATIONS)[number];

/**
 * `hit`/`miss` (get) and `ok` (every other operation): the backend answered.
 * `error`/`timeout`: the call to that backend failed or ran out of time, and the store moved on.
 * `skipped`: the backend was passed over because it was not available.
 */
export const OUTCOMES = ['hit', 'miss', 'ok', 'error', 'timeout', 'skipped'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** `half_open` rather than opossum's `halfOpen`: label values follow Prometheus' snake case. */
export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerStateLabel = (typeof BREAKER_STATES)[number];

/**
 * What became of a key replayed into a recovered backend: `written` back (the value it
 * missed), `deleted` (a delete it missed, or a value gone since), `skipped` (it already held
 * a newer value).
 */
export const REPLAY_RESULTS = ['written', 'deleted', 'skipped'] as const;
export type ReplayResult = (typeof REPLAY_RESULTS)[number];

/** The `backend`/`to` label when no backend could serve. */
export const NO_BACKEND = 'none';

/** Duration buckets, in seconds: 100 µs to 1 s (a store operation's whole budget by default). */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Outage buckets, in seconds: a blip of a second to an hour-long outage. */
export const OUTAGE_BUCKETS: readonly number[] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** Replay buckets, in seconds: a few keys in a millisecond to a full journal in minutes. */
export const REPLAY_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300,
];
