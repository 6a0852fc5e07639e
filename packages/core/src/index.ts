export type {
  AvailabilitySignal,
  Backend,
  BackendCapabilities,
  BackendEntry,
  CallControl,
  ConditionalEntry,
  ConditionalWrites,
  StoredValue,
} from './backend.js';
export type { BackendModule } from './backend-loader.js';
export type { BreakerState } from './breaker.js';
export { createStore } from './create-store.js';
export {
  DEFAULT_BREAKER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_STARTUP_GRACE_MS,
} from './defaults.js';
export {
  decodeValue,
  encodeTombstone,
  encodeValue,
  isTombstone,
  stampOf,
  type ValueKind,
} from './envelope.js';
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
export { fitsBackend, keyBytes, namespacedKey, validateKey } from './keys.js';
export { consoleLogger, type LogFn, type Logger, silentLogger } from './logger.js';
export { type MemoryBackendOptions, memoryBackend } from './memory-backend.js';
export type { BackendSlot, BreakerOptions, ResilientStoreOptions } from './options.js';
export { HybridClock, STAMPS_PER_MS, stampAtWall, wallOfStamp } from './recovery/hlc.js';
export type { RecoveryOptions } from './recovery/options.js';
export type { OnOverflow } from './recovery/replay.js';
export { jsonSerializer, type Serializer } from './serializer.js';
export { ResilientStore, type SetManyEntry, type SetOptions } from './store.js';
export type { BackendConfig, BackendType, StoreConfig } from './store-config.js';
export { storedByteLength, storedBytes, storedValueFits } from './stored-value.js';
export { applyJitter, parseTtl, type Ttl } from './ttl.js';
