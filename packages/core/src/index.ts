export type {
  AvailabilitySignal,
  Backend,
  BackendCapabilities,
  BackendEntry,
  CallControl,
  StoredValue,
} from './backend.js';
export type { BackendModule } from './backend-loader.js';
export type { BreakerState } from './breaker.js';
export {
  DEFAULT_ENV_PREFIX,
  type EnvConfigOptions,
  storeConfigFromEnv,
  storeConfigToEnv,
} from './config-from-env.js';
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
export { fitsBackend, keyBytes, namespacedKey, validateKey } from './keys.js';
export {
  consoleLogger,
  type JsonLineLoggerOptions,
  jsonLineLogger,
  type LogFn,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.js';
export { type MemoryBackendOptions, memoryBackend } from './memory-backend.js';
export type { BackendSlot, BreakerOptions, ResilientStoreOptions } from './options.js';
export { jsonSerializer, type Serializer } from './serializer.js';
export { ResilientStore, type SetManyEntry, type SetOptions } from './store.js';
export type { BackendConfig, BackendType, StoreConfig } from './store-config.js';
export { storedByteLength, storedBytes, storedValueFits } from './stored-value.js';
export { applyJitter, parseTtl, type Ttl } from './ttl.js';
