// @resilient-store/prometheus: Prometheus metrics for a resilient-store, on prom-client.
export {
  AlreadyInstrumentedError,
  type InstrumentOptions,
  instrument,
  type StoreMetrics,
} from './instrument.js';
export {
  BREAKER_STATES,
  DEFAULT_DURATION_BUCKETS,
  METRIC,
  type MetricName,
  NO_BACKEND,
  OPERATIONS,
  OUTAGE_BUCKETS,
  OUTCOMES,
  REPLAY_BUCKETS,
  REPLAY_RESULTS,
} from './names.js';
