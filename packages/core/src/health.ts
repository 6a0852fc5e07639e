import type { BreakerState } from './breaker.js';

export interface BackendHealth {
  name: string;
  /** Breaker state, or `unavailable` while the backend reports a lost connection. */
  state: BreakerState | 'unavailable';
  /** Message of the last error seen on this backend, if any. */
  lastError: string | undefined;
  /** Recent latency (exponentially weighted, sampled), in ms; undefined before any call. */
  latencyMs: number | undefined;
}

export interface StoreHealth {
  /** `ok`: the first backend serves; `degraded`: a fallback serves; `down`: none can. */
  status: 'ok' | 'degraded' | 'down';
  /** Name of the backend serving now, or null. */
  active: string | null;
  backends: BackendHealth[];
}
