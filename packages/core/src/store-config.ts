import { ConfigError, InvalidTtlError } from './errors.js';
import { validateNamespace } from './keys.js';
import type { Logger } from './logger.js';
import type { BreakerOptions } from './options.js';
import { type RecoveryOptions, resolveRecoveryOptions } from './recovery/options.js';
import type { Serializer } from './serializer.js';
import { parseTtl, type Ttl, validateJitter } from './ttl.js';

/**
 * The plain-data configuration `createStore` accepts (JSON or environment friendly),
 * and its validation. Only shape is checked here, before any connection is opened;
 * value rules live with their owners (ttl.ts, keys.ts, the store's breaker settings)
 * and are reused, not repeated.
 */

export const BACKEND_TYPES = ['redis', 'postgres', 'memcached', 'memory'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

/** One backend: its type, optional name/required/breaker, and the backend's own options. */
export interface BackendConfig {
  type: BackendType;
  /** Unique within the store; defaults to the type. */
  name?: string;
  /** When true, failing to create this backend fails `createStore` instead of warning. */
  required?: boolean;
  breaker?: BreakerOptions;
  /** Anything else is passed to the backend package's `fromConfig`. */
  [option: string]: unknown;
}

export interface StoreConfig {
  namespace?: string;
  defaultTtl?: Ttl;
  jitter?: number;
  operationTimeout?: number;
  onAllFailed?: 'throw' | 'swallow';
  breaker?: BreakerOptions;
  /** Append an in-process memory backend as the last resort. Default true. */
  memoryFallback?: boolean;
  /** How writes a backend missed are replayed into it (`maxJournalKeys`, `onOverflow`). */
  recovery?: RecoveryOptions;
  logger?: Logger;
  serializer?: Serializer;
  backends: BackendConfig[];
}

/** A validated backend entry, ready to be built. */
export interface BackendPlan {
  /** Where it came from, e.g. 'backends[1]', for messages and errors. */
  readonly field: string;
  readonly type: BackendType;
  readonly name: string;
  readonly required: boolean;
  readonly breaker: BreakerOptions | undefined;
  /** The options for `fromConfig`, including the resolved name. */
  readonly options: Record<string, unknown>;
}

const STORE_FIELDS = new Set([
  'namespace',
  'defaultTtl',
  'jitter',
  'operationTimeout',
  'onAllFailed',
  'breaker',
  'memoryFallback',
  'recovery',
  'logger',
  'serializer',
  'backends',
]);
const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;
/** Fields of a backend entry that belong to the store, not to the backend. */
const STORE_OWNED_BACKEND_FIELDS = new Set(['type', 'required', 'breaker']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}

function checkOptionalObject(value: unknown, field: string): void {
  if (value !== undefined && !isPlainObject(value)) {
    throw new ConfigError(field, 'must be an object');
  }
}

/** Shape checks of the store-wide fields; throws `ConfigError` naming the field. */
export function validateStoreFields(config: unknown): asserts config is StoreConfig {
  if (!isPlainObject(config)) throw new ConfigError('config', 'must be an object');
  for (const field of Object.keys(config)) {
    if (!STORE_FIELDS.has(field)) throw new ConfigError(field, 'unknown store option');
  }
  validateNamespace(config.namespace);
  try {
    parseTtl(config.defaultTtl as Ttl | undefined, 'defaultTtl');
  } catch (error) {
    if (!(error instanceof InvalidTtlError)) throw error;
    throw new ConfigError('defaultTtl', error.message.replace(/^defaultTtl: /, ''), {
      cause: error,
    });
  }
  validateJitter(config.jitter);
  checkOptionalObject(config.breaker, 'breaker');
  if (config.memoryFallback !== undefined && typeof config.memoryFallback !== 'boolean') {
    throw new ConfigError('memoryFallback', 'must be a boolean');
  }
  resolveRecoveryOptions(config.recovery);
  if (config.logger !== undefined && !hasMethods(config.logger, LOGGER_METHODS)) {
    throw new ConfigError('logger', 'must have debug, info, warn and error methods');
  }
  if (
    config.serializer !== undefined &&
    !hasMethods(config.serializer, ['serialize', 'deserialize'])
  ) {
    throw new ConfigError('serializer', 'must have serialize and deserialize methods');
  }
  if (!Array.isArray(config.backends)) {
    throw new ConfigError('backends', 'must be an array of backend configurations');
  }
}

function planBackend(entry: unknown, field: string): BackendPlan {
  if (!isPlainObject(entry)) throw new ConfigError(field, 'must be an object');
  const { type, name, required, breaker } = entry;
  if (typeof type !== 'string' || !(BACKEND_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(`${field}.type`, `must be one of ${BACKEND_TYPES.join(', ')}`);
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new ConfigError(`${field}.name`, 'must be a non-empty string');
  }
  if (required !== undefined && typeof required !== 'boolean') {
    throw new ConfigError(`${field}.required`, 'must be a boolean');
  }
  checkOptionalObject(breaker, `${field}.breaker`);
  const resolvedName = name ?? type;
  const options: Record<string, unknown> = { name: resolvedName };
  for (const [key, value] of Object.entries(entry)) {
    if (!STORE_OWNED_BACKEND_FIELDS.has(key) && key !== 'name') options[key] = value;
  }
  return {
    field,
    type: type as BackendType,
    name: resolvedName,
    required: required === true,
    breaker: breaker as BreakerOptions | undefined,
    options,
  };
}

/**
 * Validates every backend entry and answers the build plan, with the memory fallback
 * appended when asked for and not already present.
 */
export function planBackends(config: StoreConfig): BackendPlan[] {
  const plans = config.backends.map((entry, i) => planBackend(entry, `backends[${i}]`));
  const names = new Set<string>();
  for (const plan of plans) {
    if (names.has(plan.name)) {
      throw new ConfigError(
        `${plan.field}.name`,
        `duplicate backend name "${plan.name}"; give each backend of one type its own name`,
      );
    }
    names.add(plan.name);
  }
  const wantsFallback = config.memoryFallback !== false;
  if (wantsFallback && !plans.some((plan) => plan.type === 'memory')) {
    const name = names.has('memory') ? 'memory-fallback' : 'memory';
    plans.push({
      field: 'memoryFallback',
      type: 'memory',
      name,
      required: false,
      breaker: undefined,
      options: { name },
    });
  }
  if (plans.length === 0) {
    throw new ConfigError('backends', 'no backend configured and memoryFallback is false');
  }
  return plans;
}
