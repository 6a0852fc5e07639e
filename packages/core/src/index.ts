export type { AvailabilitySignal, Backend, BackendCapabilities, BackendEntry } from './backend.js';
export type { BreakerState } from './breaker.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_STARTUP_GRACE_MS,
} from './defaults.js';
export * from './errors.js';
export type {
  OperationName,
  OperationObserver,
  OperationTiming,
  StoreEventName,
  StoreEvents,
  StoreListener,
} from './events.js';
export type { BackendHealth, StoreHealth } from './health.js';
export { consoleLogger, type LogFn, type Logger, silentLogger } from './logger.js';
export type { BackendSlot, BreakerOptions, ResilientStoreOptions } from './options.js';
export type { Serializer } from './serializer.js';
export { ResilientStore, type SetManyEntry, type SetOptions } from './store.js';
export type { Ttl } from './ttl.js';
