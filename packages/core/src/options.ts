import type { Backend } from './backend.js';
import type { Logger } from './logger.js';
import type { RecoveryOptions } from './recovery/options.js';
import type { Serializer } from './serializer.js';
import type { Ttl } from './ttl.js';

/** Per-backend circuit-breaker settings (opossum semantics). */
export interface BreakerOptions {
  /** Time budget for one call to this backend, in ms. */
  timeout?: number;
  /** Failure percentage within the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** Calls needed in the window before the percentage is considered. */
  volumeThreshold?: number;
  /**
   * Failures in a row that open the breaker whatever the window holds, so a
   * backend that starts failing under heavy traffic is cut off at once rather
   * than after the successes from before the fault have rolled out of the window.
   */
  consecutiveFailures?: number;
  /** How long the breaker stays open before admitting one probe, in ms. */
  resetTimeout?: number;
  /** Length of the rolling statistics window, in ms. */
  rollingCountTimeout?: number;
  /** Buckets in the rolling window. */
  rollingCountBuckets?: number;
}

/** A backend with optional breaker settings that override the store-wide ones. */
export interface BackendSlot {
  backend: Backend;
  breaker?: BreakerOptions;
}

export interface ResilientStoreOptions {
  /** Backends in order of preference; the first healthy one serves. */
  backends: ReadonlyArray<Backend | BackendSlot>;
  /** Prefix for every key, joined with ':'. */
  namespace?: string;
  /** TTL used when a write names none; `undefined` means no expiry. */
  defaultTtl?: Ttl;
  /** Random extra TTL: a fraction (0..1) of the TTL, added or removed at random. */
  jitter?: number;
  /** Store-wide breaker defaults. */
  breaker?: BreakerOptions;
  /** Overall deadline for one store operation across every backend, in ms. */
  operationTimeout?: number;
  /** What a write does when every backend failed: reject (default) or log and resolve. */
  onAllFailed?: 'throw' | 'swallow';
  logger?: Logger;
  serializer?: Serializer;
  /** How writes a backend missed are replayed into it; see `RecoveryOptions`. */
  recovery?: RecoveryOptions;
}
