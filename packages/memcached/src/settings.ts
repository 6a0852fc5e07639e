import {
  backendName,
  ConfigError,
  nonEmptyString,
  plainObject,
  positiveInteger,
  rejectUnknownFields,
} from '@resilient-store/core/backend';
import {
  DEFAULT_BACKEND_NAME,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_GENERATION_CACHE_MS,
  DEFAULT_KEEP_ALIVE_DELAY_MS,
  DEFAULT_MAX_CLEARED_PREFIXES,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_RETRIES,
  MEMCACHED_MAX_VALUE_BYTES,
  type MemcachedBackendOptions,
} from './options.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** The options with defaults applied and every field checked. */
export interface MemcachedSettings {
  readonly name: string;
  readonly servers: readonly ServerAddress[];
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  readonly operationTimeout: number;
  readonly connectTimeout: number;
  readonly maxReconnectDelay: number;
  readonly retries: number;
  readonly keepAliveDelay: number;
  readonly maxValueBytes: number;
  readonly generationCacheMs: number;
  readonly maxClearedPrefixes: number;
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set<keyof MemcachedBackendOptions>([
  'servers',
  'name',
  'username',
  'password',
  'operationTimeout',
  'connectTimeout',
  'maxReconnectDelay',
  'retries',
  'keepAliveDelay',
  'maxValueBytes',
  'generationCacheMs',
  'maxClearedPrefixes',
]);

/**
 * Applies defaults and rejects unknown, mistyped or out-of-range options with a
 * `ConfigError` naming the field. Options often come from JSON or YAML, so nothing is
 * assumed of their types.
 */
export function resolveSettings(options: MemcachedBackendOptions): MemcachedSettings {
  const fields = plainObject(options, 'options');
  rejectUnknownFields(fields, KNOWN_FIELDS, 'memcached backend');
  const username = optionalString(fields.username, 'username');
  const password = optionalString(fields.password, 'password');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      username === undefined ? 'username' : 'password',
      'is required with the other SASL credential',
    );
  }
  return {
    name: backendName(fields.name, DEFAULT_BACKEND_NAME),
    servers: parseServers(fields.servers),
    credentials:
      username !== undefined && password !== undefined ? { username, password } : undefined,
    operationTimeout: positiveInteger(fields.operationTimeout, 'operationTimeout', {
      fallback: DEFAULT_OPERATION_TIMEOUT_MS,
    }),
    connectTimeout: positiveInteger(fields.connectTimeout, 'connectTimeout', {
      fallback: DEFAULT_CONNECT_TIMEOUT_MS,
    }),
    maxReconnectDelay: positiveInteger(fields.maxReconnectDelay, 'maxReconnectDelay', {
      fallback: DEFAULT_MAX_RECONNECT_DELAY_MS,
    }),
    retries: retries(fields.retries),
    keepAliveDelay: positiveInteger(fields.keepAliveDelay, 'keepAliveDelay', {
      fallback: DEFAULT_KEEP_ALIVE_DELAY_MS,
    }),
    maxValueBytes: positiveInteger(fields.maxValueBytes, 'maxValueBytes', {
      fallback: DEFAULT_MAX_VALUE_BYTES,
      max: MEMCACHED_MAX_VALUE_BYTES,
    }),
    generationCacheMs: positiveInteger(fields.generationCacheMs, 'generationCacheMs', {
      fallback: DEFAULT_GENERATION_CACHE_MS,
      max: 60_000,
    }),
    maxClearedPrefixes: positiveInteger(fields.maxClearedPrefixes, 'maxClearedPrefixes', {
      fallback: DEFAULT_MAX_CLEARED_PREFIXES,
      max: 10_000,
    }),
  };
}

function parseServers(value: unknown): ServerAddress[] {
  const list = typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(
      'servers',
      'must be "host:port,host:port" or a non-empty array of "host:port"',
    );
  }
  return list.map((entry: unknown, index) => parseAddress(entry, `servers[${index}]`));
}

function parseAddress(entry: unknown, field: string): ServerAddress {
  const address = nonEmptyString(entry, field);
  if (address.includes('@')) {
    throw new ConfigError(
      field,
      'must not carry credentials; use the username and password options',
    );
  }
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
  const port = Number(match?.[2] ?? 11211);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(
      field,
      `must be "host:port" with a port between 1 and 65535, got ${JSON.stringify(address)}`,
    );
  }
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : nonEmptyString(value, field);
}

/** Zero is a valid retry count, which `positiveInteger` would refuse. */
function retries(value: unknown): number {
  if (value === undefined) return DEFAULT_RETRIES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10) {
    throw new ConfigError('retries', `must be an integer from 0 to 10, got ${String(value)}`);
  }
  return value;
}
