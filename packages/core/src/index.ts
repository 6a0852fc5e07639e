export type { AvailabilitySignal, Backend, BackendCapabilities, BackendEntry } from './backend.js';
export * from './errors.js';
export { consoleLogger, type LogFn, type Logger, silentLogger } from './logger.js';
export type { BackendSlot, BreakerOptions, ResilientStoreOptions } from './options.js';
export type { Serializer } from './serializer.js';
export { ResilientStore } from './store.js';
export type { Ttl } from './ttl.js';
