import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import {
  booleanOption,
  ConfigError,
  isPlainObject,
  nonEmptyString,
  plainObject,
  rejectUnknownFields,
} from '@resilient-store/core/backend';
import type { RedisBackendOptions, RedisNodeAddress } from './options.js';
import { type RedisBackend, redisBackend } from './redis-backend.js';

type Reader = (value: unknown, field: string) => unknown;

const string: Reader = nonEmptyString;

/** Type only; ranges are checked where the typed options are resolved. */
const number: Reader = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(field, 'must be a number');
  }
  return value;
};

const boolean: Reader = (value, field) => booleanOption(value, field);

const tls: Reader = (value, field): boolean | TlsConnectionOptions => {
  if (typeof value === 'boolean') return value;
  if (isPlainObject(value)) return value as TlsConnectionOptions;
  throw new ConfigError(field, 'must be a boolean or an object of Node TLS options');
};

const address = (value: unknown, field: string): { host: string; port: number } => {
  if (!isPlainObject(value)) throw new ConfigError(field, 'must be an object { host, port }');
  const host = nonEmptyString(value.host, `${field}.host`);
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
      ? nonEmptyString(node, `${field}[${index}]`)
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

const KNOWN_FIELDS = new Set(Object.keys(FIELDS));

/**
 * Builds a Redis backend from plain data, e.g. parsed from JSON or YAML:
 * `{ type: 'redis', url | cluster | sentinels + masterName, ...options }`.
 * Every field is checked; an unknown or mistyped field is a `ConfigError` naming it.
 */
export function fromConfig(config: Record<string, unknown>): RedisBackend {
  const { type, ...given } = plainObject(config, 'config');
  if (type !== undefined && type !== 'redis') {
    throw new ConfigError('type', `must be 'redis', got ${String(type)}`);
  }
  rejectUnknownFields(given, KNOWN_FIELDS, 'redis backend');
  const options: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(given)) {
    if (value !== undefined) options[field] = FIELDS[field]!(value, field);
  }
  if (options.sentinels !== undefined && options.masterName === undefined) {
    throw new ConfigError('masterName', 'is required with sentinels');
  }
  // The readers above checked every field against the option types.
  return redisBackend(options as unknown as RedisBackendOptions);
}
