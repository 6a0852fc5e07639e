export type {
  AvailabilitySignal,
  Backend,
  BackendCapabilities,
  BackendEntry,
  BackendModule,
  CallControl,
  StoredValue,
} from './backend.js';
export { type MemoryBackendOptions, memoryBackend } from './backends/memory.js';
export type { BreakerState } from './breaker.js';
export { createStore } from './create-store.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_STARTUP_GRACE_MS,
} from './defaults.js';
export { decodeValue, encodeValue, type ValueKind } from './envelope.js';
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
export { fitsBackend, keyBytes, validateKey } from './kit/keys.js';
export { storedByteLength, storedBytes, storedValueFits } from './kit/stored-value.js';
export { consoleLogger, type LogFn, type Logger, silentLogger } from './logger.js';
export type { BackendSlot, BreakerOptions, ResilientStoreOptions } from './options.js';
export { jsonSerializer, type Serializer } from './serializer.js';
export { ResilientStore, type SetManyEntry, type SetOptions } from './store.js';
export type { BackendConfig, BackendType, StoreConfig } from './store-config.js';
export { applyJitter, parseTtl, type Ttl } from './ttl.js';
export { namespacedKey } from './values/keys.js';
