// @resilient-store/prometheus: Prometheus metrics for a resilient-store, on prom-client.
export {};
