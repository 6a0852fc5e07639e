// @resilient-store/core: the API of a store's users. Backend authors import
// '@resilient-store/core/backend' (the Backend contract and its kit).

// Transitional: the backend contract and kit, exported here before the
// '@resilient-store/core/backend' subpath existed. Backend packages import them
// from the subpath; these re-exports go once no package uses them from the root.
export type {
  AvailabilitySignal,
  Backend,
  BackendCapabilities,
  BackendEntry,
  BackendModule,
  CallControl,
  ConditionalEntry,
  ConditionalWrites,
  StoredValue,
} from './backend.js';
export { type MemoryBackendOptions, memoryBackend } from './backends/memory.js';
export type {
  BackendConfig,
  BackendConfigBase,
  BackendConfigOf,
  BackendConfigTypes,
  BackendType,
  DeclaredBackendType,
} from './config/backend-types.js';
export {
  DEFAULT_ENV_PREFIX,
  type EnvConfigOptions,
  storeConfigFromEnv,
  storeConfigToEnv,
} from './config-from-env.js';
export { createStore } from './create-store.js';
export * from './errors.js';
export type {
  BackendHealth,
  BreakerState,
  EventLoopHealth,
  JournalHealth,
  OperationName,
  OperationObserver,
  OperationTiming,
  StoreEventName,
  StoreEvents,
  StoreHealth,
  StoreListener,
} from './events.js';
export { fitsBackend, keyBytes, validateKey } from './kit/keys.js';
export { storedByteLength, storedBytes, storedValueFits } from './kit/stored-value.js';
export {
  consoleLogger,
  type JsonLineLoggerOptions,
  jsonLineLogger,
  type LogFn,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.js';
export {
  type BackendSlot,
  type BreakerOptions,
  DEFAULT_BREAKER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_STARTUP_GRACE_MS,
  type ResilientStoreOptions,
  type StoreConfig,
  type StoreListeners,
  type StoreSettings,
} from './options.js';
export { HybridClock, STAMPS_PER_MS, stampAtWall, wallOfStamp } from './recovery/hlc.js';
export type { RecoveryOptions } from './recovery/options.js';
export type { OnOverflow } from './recovery/replay.js';
export { keyHash } from './routing/key-hash.js';
export {
  DEFAULT_LOADER_TIMEOUT_MS,
  type GetOrSetOptions,
  ResilientStore,
  type SetManyEntry,
  type SetOptions,
} from './store.js';
export {
  decodeValue,
  encodeTombstone,
  encodeValue,
  isTombstone,
  stampOf,
  type ValueKind,
} from './values/envelope.js';
export { namespacedKey } from './values/keys.js';
export { jsonSerializer, type Serializer, type SerializerName } from './values/serializer.js';
export { applyJitter, parseTtl, type Ttl } from './values/ttl.js';
export { v8Serializer } from './values/v8-serializer.js';
