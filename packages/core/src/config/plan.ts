import { ConfigError } from '../errors.js';
import { isPlainObject, rejectUnknownFields } from '../kit/options.js';
import {
  type BreakerOptions,
  resolveSettings,
  STORE_CONFIG_FIELDS,
  type StoreConfig,
  validateListeners,
} from '../options.js';
import {
  BACKEND_TYPES,
  type BackendType,
  type BackendTypeEntry,
  describeKnownTypes,
  isBackendType,
  STORE_OWNED_BACKEND_FIELDS,
} from './backend-types.js';

/**
 * createStore's plain data turned into a build plan. Only shape is checked here,
 * before any connection is opened or package imported; the settings' rules live
 * with their declaration (options.ts), a backend's own options with its package.
 */

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

/** Checks the whole configuration; throws `ConfigError` naming the field. */
export function validateStoreConfig(config: unknown): asserts config is StoreConfig {
  if (!isPlainObject(config)) throw new ConfigError('config', 'must be an object');
  rejectUnknownFields(config, STORE_CONFIG_FIELDS, 'store');
  resolveSettings(config);
  if (config.memoryFallback !== undefined && typeof config.memoryFallback !== 'boolean') {
    throw new ConfigError('memoryFallback', 'must be a boolean');
  }
  if (!Array.isArray(config.backends)) {
    throw new ConfigError('backends', 'must be an array of backend configurations');
  }
  validateListeners(config.on);
}

function checkType(type: unknown, field: string, substituted: ReadonlySet<string>): BackendType {
  if (!isBackendType(type)) {
    throw new ConfigError(
      field,
      `unknown backend type ${JSON.stringify(type)}; known types: ${describeKnownTypes()}`,
    );
  }
  const entry: BackendTypeEntry = BACKEND_TYPES[type];
  if (!entry.available && !substituted.has(type)) {
    throw new ConfigError(
      field,
      `backend type "${type}" is not available yet (${'package' in entry ? entry.package : type} has no backend in this version); known types: ${describeKnownTypes()}`,
    );
  }
  return type;
}

function planBackend(entry: unknown, field: string, substituted: ReadonlySet<string>): BackendPlan {
  if (!isPlainObject(entry)) throw new ConfigError(field, 'must be an object');
  const { name, required, breaker } = entry;
  const type = checkType(entry.type, `${field}.type`, substituted);
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new ConfigError(`${field}.name`, 'must be a non-empty string');
  }
  if (required !== undefined && typeof required !== 'boolean') {
    throw new ConfigError(`${field}.required`, 'must be a boolean');
  }
  if (breaker !== undefined && !isPlainObject(breaker)) {
    throw new ConfigError(`${field}.breaker`, 'must be an object');
  }
  const resolvedName = name ?? type;
  const options: Record<string, unknown> = { name: resolvedName };
  for (const [key, value] of Object.entries(entry)) {
    if (!STORE_OWNED_BACKEND_FIELDS.has(key) && key !== 'name') options[key] = value;
  }
  return {
    field,
    type,
    name: resolvedName,
    required: required === true,
    breaker: breaker as BreakerOptions | undefined,
    options,
  };
}

/**
 * Validates every backend entry and answers the build plan, with the memory fallback
 * appended when asked for and not already present. `substituted` names types whose
 * package was replaced (a test seam): those are judged when loaded.
 */
export function planBackends(
  config: StoreConfig,
  substituted: ReadonlySet<string> = new Set(),
): BackendPlan[] {
  const plans = config.backends.map((entry, i) =>
    planBackend(entry, `backends[${i}]`, substituted),
  );
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
