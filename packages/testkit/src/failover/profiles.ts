import { DEFAULT_OPERATION_TIMEOUT_MS, type ResilientStoreOptions } from '@resilient-store/core';

/**
 * Store settings a scenario runs under: the untouched defaults, or a tuned set for
 * comparison. A backend's scenarios extend it with that backend's own options.
 */
export interface StoreProfile {
  /** Named in the report and in test titles, e.g. 'default' or 'tuned'. */
  readonly name: string;
  /** Store options beyond the backends; none at all for the defaults. */
  readonly store: Pick<ResilientStoreOptions, 'breaker' | 'operationTimeout' | 'recovery'>;
}

/** What most services run: `new ResilientStore({ backends })`. */
export const DEFAULT_STORE_PROFILE: StoreProfile = { name: 'default', store: {} };

/**
 * A store tuned for fast failover and return: a shorter attempt budget and a probe half
 * a second after the breaker opened. Pair it with a backend reconnecting about as fast.
 */
export const TUNED_STORE_PROFILE: StoreProfile = {
  name: 'tuned',
  store: { breaker: { timeout: 100, resetTimeout: 500 } },
};

export function operationTimeoutOf(profile: StoreProfile): number {
  return profile.store.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT_MS;
}
