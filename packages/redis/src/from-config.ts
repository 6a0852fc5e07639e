import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ConfigError } from '@resilient-store/core';
import type { RedisBackendOptions, RedisNodeAddress } from './options.js';
import { type RedisBackend, redisBackend } from './redis-backend.js';

type Reader = (value: unknown, field: string) => unknown;

const string: Reader = (value, field) => {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(field, 'must be a non-empty string');
  }
  return value;
};

/** Type only; ranges are checked where the typed options are resolved. */
const number: Reader = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(field, 'must be a number');
  }
  return value;
};

const boolean: Reader = (value, field) => {
  if (typeof value !== 'boolean') throw new ConfigError(field, 'must be a boolean');
  return value;
};

const tls: Reader = (value, field): boolean | TlsConnectionOptions => {
  if (typeof value === 'boolean') return value;
  if (isPlainObject(value)) return value as TlsConnectionOptions;
  throw new ConfigError(field, 'must be a boolean or an object of Node TLS options');
};

const plainObject: Reader = (value, field) => {
  if (!isPlainObject(value)) throw new ConfigError(field, 'must be an object');
  return value;
};

const address = (value: unknown, field: string): { host: string; port: number } => {
  if (!isPlainObject(value)) throw new ConfigError(field, 'must be an object { host, port }');
  const host = string(value.host, `${field}.host`) as string;
  const port = value.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(`${field}.port`, 'must be an integer between 1 and 65535');
  }
  return { host, port };
};

const nodeList = (value: unknown, field: string): RedisNodeAddress[] => {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(
      field,
      'must be a non-empty array of "host:port" strings or { host, port }',
    );
  }
  return value.map((node: unknown, index) =>
    typeof node === 'string'
      ? (string(node, `${field}[${index}]`) as string)
      : address(node, `${field}[${index}]`),
  );
};

const addressList = (value: unknown, field: string): Array<{ host: string; port: number }> => {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(field, 'must be a non-empty array of { host, port }');
  }
  return value.map((node: unknown, index) => address(node, `${field}[${index}]`));
};

/** Every field a plain-data redis configuration may carry, with its type check. */
const FIELDS: Readonly<Record<string, Reader>> = {
  name: string,
  url: string,
  cluster: nodeList,
  clusterOptions: plainObject,
  sentinels: addressList,
  masterName: string,
  sentinelUsername: string,
  sentinelPassword: string,
  db: number,
  commandTimeout: number,
  connectTimeout: number,
  maxReconnectDelay: number,
  closeTimeout: number,
  tls,
  username: string,
  password: string,
  enableAutoPipelining: boolean,
  maxValueBytes: number,
  connectionName: string,
};

/**
 * Builds a Redis backend from plain data, e.g. parsed from JSON or YAML:
 * `{ type: 'redis', url | cluster | sentinels + masterName, ...options }`.
 * Every field is checked; an unknown or mistyped field is a `ConfigError` naming it.
 */
export function fromConfig(config: Record<string, unknown>): RedisBackend {
  if (!isPlainObject(config)) throw new ConfigError('config', 'must be an object');
  const options: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(config)) {
    if (field === 'type') {
      if (value !== 'redis') throw new ConfigError('type', `must be 'redis', got ${String(value)}`);
      continue;
    }
    if (value === undefined) continue;
    const read = FIELDS[field];
    if (!read) {
      throw new ConfigError(
        field,
        `unknown redis backend option (known: ${Object.keys(FIELDS).join(', ')})`,
      );
    }
    options[field] = read(value, field);
  }
  if (options.sentinels !== undefined && options.masterName === undefined) {
    throw new ConfigError('masterName', 'is required with sentinels');
  }
  // The readers above checked every field against the option types.
  return redisBackend(options as unknown as RedisBackendOptions);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
