import { ConfigError } from '@resilient-store/core';
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
  if (!isPlainObject(options)) throw new ConfigError('options', 'must be an object');
  for (const field of Object.keys(options)) {
    if (!KNOWN_FIELDS.has(field)) {
      throw new ConfigError(
        field,
        `unknown memcached backend option (known: ${[...KNOWN_FIELDS].join(', ')})`,
      );
    }
  }
  const username = optionalString('username', options.username);
  const password = optionalString('password', options.password);
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      username === undefined ? 'username' : 'password',
      'is required with the other SASL credential',
    );
  }
  return {
    name: optionalString('name', options.name) ?? DEFAULT_BACKEND_NAME,
    servers: parseServers(options.servers),
    credentials:
      username !== undefined && password !== undefined ? { username, password } : undefined,
    operationTimeout: integer(
      'operationTimeout',
      options.operationTimeout,
      DEFAULT_OPERATION_TIMEOUT_MS,
      1,
    ),
    connectTimeout: integer(
      'connectTimeout',
      options.connectTimeout,
      DEFAULT_CONNECT_TIMEOUT_MS,
      1,
    ),
    maxReconnectDelay: integer(
      'maxReconnectDelay',
      options.maxReconnectDelay,
      DEFAULT_MAX_RECONNECT_DELAY_MS,
      1,
    ),
    retries: integer('retries', options.retries, DEFAULT_RETRIES, 0, 10),
    keepAliveDelay: integer(
      'keepAliveDelay',
      options.keepAliveDelay,
      DEFAULT_KEEP_ALIVE_DELAY_MS,
      1,
    ),
    maxValueBytes: integer(
      'maxValueBytes',
      options.maxValueBytes,
      DEFAULT_MAX_VALUE_BYTES,
      1,
      MEMCACHED_MAX_VALUE_BYTES,
    ),
    generationCacheMs: integer(
      'generationCacheMs',
      options.generationCacheMs,
      DEFAULT_GENERATION_CACHE_MS,
      1,
      60_000,
    ),
    maxClearedPrefixes: integer(
      'maxClearedPrefixes',
      options.maxClearedPrefixes,
      DEFAULT_MAX_CLEARED_PREFIXES,
      1,
      10_000,
    ),
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
  if (typeof entry !== 'string' || entry.length === 0) {
    throw new ConfigError(field, 'must be a non-empty "host:port" string');
  }
  if (entry.includes('@')) {
    throw new ConfigError(
      field,
      'must not carry credentials; use the username and password options',
    );
  }
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
  const port = Number(match?.[2] ?? 11211);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(
      field,
      `must be "host:port" with a port between 1 and 65535, got ${JSON.stringify(entry)}`,
    );
  }
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(field, 'must be a non-empty string');
  }
  return value;
}

function integer(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ConfigError(
      field,
      `must be an integer, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  if (value < min || value > max) {
    throw new ConfigError(field, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
