import { DEFAULT_OPERATION_TIMEOUT_MS, type ResilientStoreOptions } from '@resilient-store/core';
import type { RedisCommonOptions } from '../../../src/index.js';

/** Settings a scenario runs under: the untouched defaults, or a tuned set for comparison. */
export interface Profile {
  readonly name: 'default' | 'tuned';
  /** Store options beyond the backends; none at all for the defaults. */
  readonly store: Pick<ResilientStoreOptions, 'breaker' | 'operationTimeout'>;
  /** Options for `redisBackend` beyond how to reach the server; none for the defaults. */
  readonly redis: Pick<RedisCommonOptions, 'maxReconnectDelay' | 'commandTimeout'>;
}

/** What most services run: `new ResilientStore({ backends })` and `redisBackend({ url })`. */
export const DEFAULTS: Profile = { name: 'default', store: {}, redis: {} };

/**
 * A store tuned for fast failover and return: a shorter attempt budget, a probe after
 * half a second, and a reconnection backoff capped at half a second so a returning
 * Redis is noticed about as soon as the breaker would admit its probe.
 */
export const TUNED: Profile = {
  name: 'tuned',
  store: { breaker: { timeout: 100, resetTimeout: 500 } },
  redis: { maxReconnectDelay: 500 },
};

export const PROFILES: readonly Profile[] = [DEFAULTS, TUNED];

export function operationTimeoutOf(profile: Profile): number {
  return profile.store.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT_MS;
}
