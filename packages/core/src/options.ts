import type { Backend } from './backend.js';
import type { BackendConfig } from './config/backend-types.js';
import { ConfigError } from './errors.js';
import type { StoreEventName, StoreListener } from './events.js';
import { isPlainObject } from './kit/options.js';
import { consoleLogger, type Logger } from './logger.js';
import {
  type RecoveryOptions,
  type ResolvedRecoveryOptions,
  resolveRecoveryOptions,
} from './recovery/options.js';
import { namespacedKey, validateNamespace } from './values/keys.js';
import { jsonSerializer, type Serializer, type SerializerName } from './values/serializer.js';
import { parseTtl, type Ttl, ttlConfigError, validateJitter } from './values/ttl.js';
import { v8Serializer } from './values/v8-serializer.js';

/**
 * The store's options, declared once: the settings shared by `new ResilientStore`
 * and `createStore`, their defaults, and their validation. `ResilientStoreOptions`
 * adds backend objects; `StoreConfig` (createStore's plain data) adds backends as
 * data and the memory-fallback switch.
 */

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

/** The settings of a store, whichever way it is built. */
export interface StoreSettings {
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
  /**
   * How values are stored: `'json'` (the default; see docs/configuration.md for
   * what JSON keeps and loses), `'v8'` (Node's structured serialization: keeps
   * Map, Set, Date, RegExp, BigInt, NaN, Infinity; every writer must be trusted),
   * or a `Serializer` of your own.
   */
  serializer?: SerializerName | Serializer;
  /** How writes a backend missed are replayed into it; see `RecoveryOptions`. */
  recovery?: RecoveryOptions;
}

/** A backend with optional breaker settings that override the store-wide ones. */
export interface BackendSlot {
  backend: Backend;
  breaker?: BreakerOptions;
}

/** Options of `new ResilientStore(...)`. */
export interface ResilientStoreOptions extends StoreSettings {
  /** Backends in order of preference; the first healthy one serves. */
  backends: ReadonlyArray<Backend | BackendSlot>;
}

/** Listeners by event name, e.g. `{ failover: ({ from, to, reason }) => … }`. */
export type StoreListeners = { [E in StoreEventName]?: StoreListener<E> };

/** The plain-data configuration `createStore` accepts (JSON or environment friendly). */
export interface StoreConfig extends StoreSettings {
  /** Append an in-process memory backend as the last resort. Default true. */
  memoryFallback?: boolean;
  backends: BackendConfig[];
  /**
   * Listeners attached before `createStore` resolves, so that they also hear what
   * happens while it starts, such as a backend unreachable at startup.
   */
  on?: StoreListeners;
}

/** Every field of `StoreSettings`; the compile-time check below keeps it complete. */
const SETTINGS_FIELDS = [
  'namespace',
  'defaultTtl',
  'jitter',
  'breaker',
  'operationTimeout',
  'onAllFailed',
  'logger',
  'serializer',
  'recovery',
] as const satisfies ReadonlyArray<keyof StoreSettings>;

type UnlistedSetting = Exclude<keyof StoreSettings, (typeof SETTINGS_FIELDS)[number]>;
// Fails to compile when a setting is declared above but missing from SETTINGS_FIELDS.
const everySettingListed: [UnlistedSetting] extends [never] ? true : UnlistedSetting = true;
void everySettingListed;

/** Every field `createStore` accepts. */
export const STORE_CONFIG_FIELDS: ReadonlySet<string> = new Set<keyof StoreConfig>([
  ...SETTINGS_FIELDS,
  'memoryFallback',
  'backends',
  'on',
]);

/** Every event a store emits; the compile-time check below keeps it complete. */
const EVENT_NAMES = [
  'failover',
  'recovered',
  'breaker',
  'reconciled',
  'journalOverflow',
  'error',
] as const satisfies ReadonlyArray<StoreEventName>;

type UnlistedEvent = Exclude<StoreEventName, (typeof EVENT_NAMES)[number]>;
// Fails to compile when an event is declared in events.ts but missing from EVENT_NAMES.
const everyEventListed: [UnlistedEvent] extends [never] ? true : UnlistedEvent = true;
void everyEventListed;

// ---------------------------------------------------------------- defaults

/**
 * Breaker defaults for a store nobody tuned. They are chosen so that an untuned
 * store fails over within a fraction of a second and keeps serving, because the
 * defaults are what most services run.
 */
export const DEFAULT_BREAKER: Required<BreakerOptions> = {
  // A cache call on a healthy network answers in about a millisecond; 250 ms is
  // far above a healthy tail yet lets a hung backend cost a caller at most a
  // quarter of a second before the next backend answers.
  timeout: 250,
  // Open when more than half of the recent calls failed...
  errorThresholdPercentage: 50,
  // ...but only once there were at least this many calls in the window, so a
  // single blip on an idle service does not open the breaker.
  volumeThreshold: 5,
  // A busy service fills the window with successes; this many failures in a
  // row open the breaker anyway. With ~100 calls in flight, a hung backend
  // trips it one timeout after the fault began.
  consecutiveFailures: 10,
  // Wait this long before one probe. Long enough that a backend flapping every
  // few hundred ms cannot flap the store with it; short enough that a restarted
  // backend serves again within a few seconds.
  resetTimeout: 2_000,
  // A 1 s window in 10 buckets (opossum's default is 10 s): the percentage
  // reflects the last second, so a backend that turns slow but still answers
  // some calls is judged on its current behaviour within about a second.
  rollingCountTimeout: 1_000,
  rollingCountBuckets: 10,
};

/**
 * Overall budget for one store operation across every backend. It must cover a
 * hung first backend (one breaker timeout) plus the answer of a fallback.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 1_000;

/** How long a backend may take to connect at startup before it is reported down. */
export const DEFAULT_STARTUP_GRACE_MS = 1_000;

// ---------------------------------------------------------------- validation

/** `StoreSettings` checked, with defaults applied. */
export interface ResolvedSettings {
  readonly namespace: string | undefined;
  /** Every key of the store starts with it ('' without a namespace). */
  readonly prefix: string;
  readonly defaultTtlMs: number | undefined;
  readonly jitter: number;
  readonly breaker: Required<BreakerOptions>;
  readonly operationTimeoutMs: number;
  /** Writes resolve (after one log line) instead of rejecting when every backend failed. */
  readonly swallowWrites: boolean;
  readonly logger: Logger;
  readonly serializer: Serializer;
  readonly recovery: ResolvedRecoveryOptions;
}

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;
const SERIALIZER_METHODS = ['serialize', 'deserialize'] as const;

/** Checks every setting; throws `ConfigError` naming the field. */
export function resolveSettings(settings: StoreSettings): ResolvedSettings {
  const namespace = validateNamespace(settings.namespace);
  const defaultTtlMs = parseTtl(settings.defaultTtl, 'defaultTtl', ttlConfigError);
  const jitter = validateJitter(settings.jitter);
  if (settings.breaker !== undefined && !isPlainObject(settings.breaker)) {
    throw new ConfigError('breaker', 'must be an object');
  }
  const breaker = breakerOptions(DEFAULT_BREAKER, settings.breaker, 'breaker');
  const operationTimeoutMs = positiveMs(
    settings.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT_MS,
    'operationTimeout',
  );
  const { onAllFailed } = settings;
  if (onAllFailed !== undefined && onAllFailed !== 'throw' && onAllFailed !== 'swallow') {
    throw new ConfigError('onAllFailed', "must be 'throw' or 'swallow'");
  }
  if (settings.logger !== undefined && !hasMethods(settings.logger, LOGGER_METHODS)) {
    throw new ConfigError('logger', 'must have debug, info, warn and error methods');
  }
  const serializer = resolveSerializer(settings.serializer);
  return {
    namespace,
    prefix: namespace === undefined ? '' : namespacedKey(namespace, ''),
    defaultTtlMs,
    jitter,
    breaker,
    operationTimeoutMs,
    swallowWrites: onAllFailed === 'swallow',
    logger: settings.logger ?? consoleLogger,
    serializer,
    recovery: resolveRecoveryOptions(settings.recovery),
  };
}

const SERIALIZERS: Readonly<Record<SerializerName, Serializer>> = {
  json: jsonSerializer,
  v8: v8Serializer,
};

/** A serializer by name, or one of the caller's own; JSON when none is given. */
function resolveSerializer(serializer: StoreSettings['serializer']): Serializer {
  if (serializer === undefined) return jsonSerializer;
  if (typeof serializer === 'string') {
    if (Object.hasOwn(SERIALIZERS, serializer)) return SERIALIZERS[serializer];
    throw new ConfigError(
      'serializer',
      `unknown serializer ${JSON.stringify(serializer)} (known: ${Object.keys(SERIALIZERS).join(', ')}, or an object with serialize and deserialize methods)`,
    );
  }
  if (!hasMethods(serializer, SERIALIZER_METHODS)) {
    throw new ConfigError(
      'serializer',
      'must be a name (json, v8) or have serialize and deserialize methods',
    );
  }
  return serializer;
}

/** Checks `createStore`'s `on`: a function per known event name. */
export function validateListeners(on: unknown): asserts on is StoreListeners | undefined {
  if (on === undefined) return;
  if (typeof on !== 'object' || on === null || Array.isArray(on)) {
    throw new ConfigError('on', 'must be an object of listeners by event name');
  }
  for (const [event, listener] of Object.entries(on)) {
    if (!(EVENT_NAMES as readonly string[]).includes(event)) {
      throw new ConfigError(`on.${event}`, `unknown event (known: ${EVENT_NAMES.join(', ')})`);
    }
    if (typeof listener !== 'function') throw new ConfigError(`on.${event}`, 'must be a function');
  }
}

/**
 * The backends of `new ResilientStore`, each with its own breaker settings over
 * the store's; throws `ConfigError` for anything that is not a Backend and for a
 * name used twice.
 */
export function resolveBackends(
  backends: ResilientStoreOptions['backends'] | undefined,
  storeBreaker: Required<BreakerOptions>,
): Array<{ backend: Backend; breaker: Required<BreakerOptions> }> {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new ConfigError('backends', 'at least one backend is required');
  }
  const names = new Set<string>();
  return backends.map((entry: Backend | BackendSlot, i) => {
    const { backend, breaker } = toSlot(entry);
    if (!backend || typeof backend.get !== 'function' || typeof backend.name !== 'string') {
      throw new ConfigError(`backends[${i}]`, 'is not a Backend');
    }
    if (names.has(backend.name)) {
      throw new ConfigError(`backends[${i}].name`, `duplicate backend name "${backend.name}"`);
    }
    names.add(backend.name);
    return { backend, breaker: breakerOptions(storeBreaker, breaker, `backends[${i}].breaker`) };
  });
}

/** A backend as given, or with its own breaker settings. */
function toSlot(entry: Backend | BackendSlot): BackendSlot {
  return 'backend' in entry && typeof (entry as BackendSlot).backend === 'object'
    ? (entry as BackendSlot)
    : { backend: entry as Backend };
}

/** `overrides` over `base`, every field checked; errors name `field`. */
function breakerOptions(
  base: Required<BreakerOptions>,
  overrides: BreakerOptions | undefined,
  field: string,
): Required<BreakerOptions> {
  const merged = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) {
    positiveMs(value as number, `${field}.${name}`);
  }
  if (merged.errorThresholdPercentage > 100) {
    throw new ConfigError(`${field}.errorThresholdPercentage`, 'must be at most 100');
  }
  return merged;
}

function positiveMs(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}
