import type { BackendConfig, BackendType } from './config/backend-types.js';
import { planBackends, validateStoreConfig } from './config/plan.js';
import { ConfigError, InvalidTtlError } from './errors.js';
import type { StoreConfig } from './options.js';
import { parseTtl, type Ttl } from './values/ttl.js';

/**
 * A `StoreConfig` from environment variables, for platforms that configure services
 * through the environment, and back (`storeConfigToEnv`, e.g. to write a manifest).
 *
 *   RESILIENT_STORE_BACKENDS=redis,memory          the chain, in order (required)
 *   RESILIENT_STORE_BACKENDS=main:redis,spare:redis  `name:type` when a type repeats
 *   RESILIENT_STORE_REDIS_URL=redis://cache:6379   a backend's option: prefix, the
 *                                                  backend's name, the option
 *   RESILIENT_STORE_NAMESPACE=recs                 a store option
 *   RESILIENT_STORE_RECOVERY_ON_OVERFLOW=clear     a nested one: recovery.onOverflow
 *
 * Every variable under the prefix must be one this module knows: a typo is a
 * `ConfigError` naming the variable, never a setting silently ignored. So is a value
 * of the wrong kind, and an empty one (an unset deployment variable must not turn
 * into an empty URL). The result is validated like any other configuration, and
 * `createStore` checks each backend's own options again when it builds it.
 */

export interface EnvConfigOptions {
  /** Start of every variable read. Default `RESILIENT_STORE_`. */
  prefix?: string;
}

export const DEFAULT_ENV_PREFIX = 'RESILIENT_STORE_';

type Kind = 'string' | 'boolean' | 'integer' | 'fraction' | 'duration' | 'ttl' | 'list';

interface Setting {
  /** The variable's name after the prefix (and, for a backend, after its name). */
  readonly suffix: string;
  /** The field of the store config or of the backend entry; `a.b` for a nested one. */
  readonly field: string;
  readonly kind: Kind;
  /** For strings: the values accepted. */
  readonly oneOf?: readonly string[];
}

const STORE_SETTINGS: readonly Setting[] = [
  { suffix: 'NAMESPACE', field: 'namespace', kind: 'string' },
  { suffix: 'DEFAULT_TTL', field: 'defaultTtl', kind: 'ttl' },
  { suffix: 'JITTER', field: 'jitter', kind: 'fraction' },
  { suffix: 'OPERATION_TIMEOUT', field: 'operationTimeout', kind: 'duration' },
  { suffix: 'ON_ALL_FAILED', field: 'onAllFailed', kind: 'string', oneOf: ['throw', 'swallow'] },
  { suffix: 'MEMORY_FALLBACK', field: 'memoryFallback', kind: 'boolean' },
  { suffix: 'RECOVERY_MAX_JOURNAL_KEYS', field: 'recovery.maxJournalKeys', kind: 'integer' },
  {
    suffix: 'RECOVERY_ON_OVERFLOW',
    field: 'recovery.onOverflow',
    kind: 'string',
    oneOf: ['clear', 'accept-stale'],
  },
];

/** Store fields read from several variables (`recovery.*`), written as one object. */
const NESTED_STORE_FIELDS: ReadonlySet<string> = new Set(
  STORE_SETTINGS.filter((s) => s.field.includes('.')).map((s) => s.field.split('.')[0]!),
);

const URL_SETTING: Setting = { suffix: 'URL', field: 'url', kind: 'string' };
const REQUIRED_SETTING: Setting = { suffix: 'REQUIRED', field: 'required', kind: 'boolean' };

/** What the environment can set on each backend type. */
const BACKEND_SETTINGS: Readonly<Record<BackendType, readonly Setting[]>> = {
  redis: [
    URL_SETTING,
    REQUIRED_SETTING,
    { suffix: 'CLUSTER', field: 'cluster', kind: 'list' },
    { suffix: 'COMMAND_TIMEOUT', field: 'commandTimeout', kind: 'duration' },
    { suffix: 'CONNECT_TIMEOUT', field: 'connectTimeout', kind: 'duration' },
  ],
  postgres: [URL_SETTING, REQUIRED_SETTING],
  memcached: [{ suffix: 'SERVERS', field: 'servers', kind: 'string' }, REQUIRED_SETTING],
  memory: [
    REQUIRED_SETTING,
    { suffix: 'MAX_ENTRIES', field: 'maxEntries', kind: 'integer' },
    { suffix: 'MAX_BYTES', field: 'maxBytes', kind: 'integer' },
  ],
};

const ENV_BACKEND_TYPES = Object.keys(BACKEND_SETTINGS);
const BACKENDS_SUFFIX = 'BACKENDS';
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const INTEGER = /^\d+$/;

function checkPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(prefix)) {
    throw new ConfigError('prefix', 'must be letters, digits and underscores, e.g. "APP_CACHE_"');
  }
}

/** A backend's name as it appears in variable names: `main-cache` → `MAIN_CACHE`. */
function envSegment(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function parseValue(raw: string, setting: Setting, variable: string): unknown {
  const value = raw.trim();
  if (value.length === 0)
    throw new ConfigError(variable, 'is set but empty; unset it or give a value');
  switch (setting.kind) {
    case 'string':
      if (setting.oneOf && !setting.oneOf.includes(value)) {
        throw new ConfigError(
          variable,
          `must be one of ${setting.oneOf.join(', ')}, got "${value}"`,
        );
      }
      return value;
    case 'boolean': {
      const word = value.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw new ConfigError(variable, `must be true or false, got "${value}"`);
    }
    case 'integer':
      if (!INTEGER.test(value))
        throw new ConfigError(variable, `must be a whole number, got "${value}"`);
      return Number(value);
    case 'fraction': {
      const fraction = Number(value);
      if (!Number.isFinite(fraction))
        throw new ConfigError(variable, `must be a number, got "${value}"`);
      return fraction;
    }
    case 'ttl':
      // Kept as written ('5m' or 300000), so the config reads as the environment did.
      return INTEGER.test(value) ? Number(value) : value;
    case 'duration':
      return durationMs(value, variable);
    case 'list':
      return value.split(',').map((item) => item.trim());
  }
}

/** A duration in ms, given as ms or with a unit ('300ms', '2s'), through the TTL rules. */
function durationMs(value: string, variable: string): number {
  try {
    const ms = parseTtl((INTEGER.test(value) ? Number(value) : value) as Ttl, variable);
    if (ms === undefined) throw new ConfigError(variable, 'must be a duration');
    return ms;
  } catch (error) {
    if (!(error instanceof InvalidTtlError)) throw error;
    throw new ConfigError(variable, error.message.replace(`${variable}: `, ''), { cause: error });
  }
}

interface ChainEntry {
  readonly name: string;
  readonly type: BackendType;
}

function parseChain(raw: string | undefined, variable: string): ChainEntry[] {
  if (raw === undefined) {
    throw new ConfigError(variable, 'is not set; list the backends in order, e.g. "redis,memory"');
  }
  if (raw.trim().length === 0) throw new ConfigError(variable, 'is set but empty');
  return raw.split(',').map((item) => {
    const [first = '', second, ...rest] = item.split(':').map((part) => part.trim());
    const type = second ?? first;
    const name = first;
    if (rest.length > 0 || name.length === 0 || !isBackendType(type)) {
      throw new ConfigError(
        variable,
        `"${item.trim()}" is not a backend; each entry is a type (${ENV_BACKEND_TYPES.join(', ')}) or name:type`,
      );
    }
    return { name, type };
  });
}

function isBackendType(value: string): value is BackendType {
  return Object.hasOwn(BACKEND_SETTINGS, value);
}

/** Where a config field's value comes from, to name the variable in errors. */
type Origins = Map<string, string>;

/**
 * Reads a `StoreConfig` from `env` (default `process.env`). Throws `ConfigError`
 * naming the variable for an unknown variable under the prefix, a value of the
 * wrong kind or an invalid configuration.
 */
export function storeConfigFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: EnvConfigOptions = {},
): StoreConfig {
  const prefix = options.prefix ?? DEFAULT_ENV_PREFIX;
  checkPrefix(prefix);
  const chainVariable = `${prefix}${BACKENDS_SUFFIX}`;
  const chain = parseChain(env[chainVariable], chainVariable);

  // Every variable this configuration can read, with where its value goes.
  const known = new Map<
    string,
    { setting: Setting; target: Record<string, unknown>; path: string }
  >();
  const config: StoreConfig & Record<string, unknown> = { backends: [] };
  const claim = (
    variable: string,
    setting: Setting,
    target: Record<string, unknown>,
    path: string,
  ) => {
    if (known.has(variable) || variable === chainVariable) {
      throw new ConfigError(
        chainVariable,
        `two settings would both be read from ${variable}; rename a backend`,
      );
    }
    known.set(variable, { setting, target, path });
  };
  for (const setting of STORE_SETTINGS) {
    claim(`${prefix}${setting.suffix}`, setting, config, setting.field);
  }
  chain.forEach((entry, i) => {
    const backend: Record<string, unknown> = { type: entry.type };
    if (entry.name !== entry.type) backend.name = entry.name;
    // Its options are checked below (validated) and again by the backend's package.
    config.backends.push(backend as unknown as BackendConfig);
    for (const setting of BACKEND_SETTINGS[entry.type]) {
      const variable = `${prefix}${envSegment(entry.name)}_${setting.suffix}`;
      claim(variable, setting, backend, `backends[${i}].${setting.field}`);
    }
  });

  const origins: Origins = new Map([['backends', chainVariable]]);
  chain.forEach((_, i) => {
    origins.set(`backends[${i}].type`, chainVariable);
    origins.set(`backends[${i}].name`, chainVariable);
  });
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(prefix) || variable === chainVariable || raw === undefined) continue;
    const slot = known.get(variable);
    if (!slot) throw new ConfigError(variable, unknownVariableMessage(variable, prefix, chain));
    assign(slot.target, slot.setting.field, parseValue(raw, slot.setting, variable));
    origins.set(slot.path, variable);
  }
  return validated(config, origins);
}

/** Sets `field` of `target`; `a.b` sets `b` of the object `a`, created when absent. */
function assign(target: Record<string, unknown>, field: string, value: unknown): void {
  const [outer = field, inner] = field.split('.');
  if (inner === undefined) {
    target[field] = value;
    return;
  }
  target[outer] ??= {};
  (target[outer] as Record<string, unknown>)[inner] = value;
}

function unknownVariableMessage(variable: string, prefix: string, chain: ChainEntry[]): string {
  const rest = variable.slice(prefix.length);
  const backend = chain.find((entry) => rest.startsWith(`${envSegment(entry.name)}_`));
  if (backend) {
    const settings = BACKEND_SETTINGS[backend.type].map((s) => s.suffix).join(', ');
    return `unknown option of backend "${backend.name}" (${backend.type} reads ${settings})`;
  }
  const store = STORE_SETTINGS.map((s) => s.suffix).join(', ');
  const names = chain.map((entry) => envSegment(entry.name)).join(', ');
  return `unknown variable: not a store option (${store}) nor an option of a backend in ${prefix}${BACKENDS_SUFFIX} (${names})`;
}

/** Runs the store's own validation, naming the variable rather than the field. */
function validated(config: StoreConfig, origins: Origins): StoreConfig {
  try {
    validateStoreConfig(config);
    planBackends(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const variable = origins.get(error.field);
    if (variable === undefined) throw error;
    throw new ConfigError(variable, error.message.replace(`${error.field}: `, ''), {
      cause: error,
    });
  }
  return config;
}

/**
 * The environment variables that `storeConfigFromEnv` reads back into `config`.
 * Throws `ConfigError` for what the environment cannot carry: a logger, a serializer,
 * breaker settings, or a backend option it has no variable for.
 */
export function storeConfigToEnv(
  config: StoreConfig,
  options: EnvConfigOptions = {},
): Record<string, string> {
  const prefix = options.prefix ?? DEFAULT_ENV_PREFIX;
  checkPrefix(prefix);
  validateStoreConfig(config);
  const env: Record<string, string> = {};
  const storeFields = new Map(STORE_SETTINGS.map((s) => [s.field, s]));
  const write = (field: string, value: unknown): void => {
    if (value === undefined) return;
    const setting = storeFields.get(field);
    if (!setting) throw new ConfigError(field, 'has no environment variable');
    env[`${prefix}${setting.suffix}`] = formatValue(value, setting, field);
  };
  for (const [field, value] of Object.entries(config)) {
    if (field === 'backends' || value === undefined) continue;
    if (NESTED_STORE_FIELDS.has(field) && typeof value === 'object' && value !== null) {
      for (const [inner, innerValue] of Object.entries(value))
        write(`${field}.${inner}`, innerValue);
    } else {
      write(field, value);
    }
  }
  const chain: string[] = [];
  config.backends.forEach((backend, i) => {
    const name = backend.name ?? backend.type;
    chain.push(name === backend.type ? name : `${name}:${backend.type}`);
    const settings = new Map(BACKEND_SETTINGS[backend.type].map((s) => [s.field, s]));
    for (const [field, value] of Object.entries(backend)) {
      if (field === 'type' || field === 'name' || value === undefined) continue;
      const setting = settings.get(field);
      if (!setting) throw new ConfigError(`backends[${i}].${field}`, 'has no environment variable');
      env[`${prefix}${envSegment(name)}_${setting.suffix}`] = formatValue(
        value,
        setting,
        `backends[${i}].${field}`,
      );
    }
  });
  env[`${prefix}${BACKENDS_SUFFIX}`] = chain.join(',');
  return env;
}

function formatValue(value: unknown, setting: Setting, field: string): string {
  const scalar = (item: unknown): string => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      return String(item);
    }
    throw new ConfigError(field, 'has no environment form (only strings, numbers and booleans)');
  };
  if (setting.kind === 'list' && Array.isArray(value)) return value.map(scalar).join(',');
  return scalar(value);
}
