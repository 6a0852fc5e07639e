/**
 * Prometheus metrics of the store, from its events, its operation observer and its
 * health. A stand-in with the same shape as `instrument(store, { registry })` of
 * `@resilient-store/prometheus`: when that package is published, this module is
 * replaced by it and nothing else in the service changes.
 */
import type { ResilientStore } from '@resilient-store/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const BREAKER_STATES = ['closed', 'halfOpen', 'open', 'unavailable'] as const;

export function instrumentStore(store: ResilientStore, { registry }: { registry: Registry }): void {
  const registers = [registry];
  const operations = new Counter({
    name: 'resilient_store_operations_total',
    help: 'Store operations by the backend that answered (none: every backend failed) and outcome',
    labelNames: ['backend', 'operation', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'resilient_store_operation_duration_seconds',
    help: 'Duration of store operations as the caller waited for them',
    labelNames: ['backend', 'operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const failovers = new Counter({
    name: 'resilient_store_failovers_total',
    help: 'Times the serving backend stopped serving and another took over',
    labelNames: ['from', 'to'],
    registers,
  });
  const recoveries = new Counter({
    name: 'resilient_store_recoveries_total',
    help: 'Times a backend serves again after an outage',
    labelNames: ['backend'],
    registers,
  });
  new Gauge({
    name: 'resilient_store_breaker_state',
    help: "1 for each backend's current breaker state (unavailable: connection lost)",
    labelNames: ['backend', 'state'],
    registers,
    collect() {
      this.reset();
      for (const backend of store.health().backends) {
        for (const state of BREAKER_STATES) {
          this.set({ backend: backend.name, state }, backend.state === state ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'resilient_store_serving_backend',
    help: '1 for the backend serving now, 0 for the others',
    labelNames: ['backend'],
    registers,
    collect() {
      this.reset();
      const health = store.health();
      for (const backend of health.backends) {
        this.set({ backend: backend.name }, backend.name === health.active ? 1 : 0);
      }
    },
  });

  store.observeOperations(({ operation, backend, durationMs, outcome }) => {
    const name = backend ?? 'none';
    operations.inc({ backend: name, operation, outcome });
    duration.observe({ backend: name, operation }, durationMs / 1000);
  });
  store.on('failover', ({ from, to }) => failovers.inc({ from, to: to ?? 'none' }));
  store.on('recovered', ({ backend }) => recoveries.inc({ backend }));
}
