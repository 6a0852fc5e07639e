import { ConfigError } from '@resilient-store/core';
import {
  DEFAULT_BACKEND_NAME,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_ENABLE_AUTO_PIPELINING,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_MAX_VALUE_BYTES,
  REDIS_MAX_VALUE_BYTES,
  type RedisCommonOptions,
} from './options.js';

/** The common options with defaults applied and ranges checked. */
export interface RedisSettings {
  readonly name: string;
  readonly commandTimeout: number;
  readonly connectTimeout: number;
  readonly maxReconnectDelay: number;
  readonly closeTimeout: number;
  readonly maxValueBytes: number;
  readonly enableAutoPipelining: boolean;
}

/** Applies defaults and rejects out-of-range values with a `ConfigError` naming the field. */
export function resolveSettings(options: RedisCommonOptions): RedisSettings {
  const name = options.name ?? DEFAULT_BACKEND_NAME;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigError('name', 'must be a non-empty string');
  }
  const autoPipelining = options.enableAutoPipelining ?? DEFAULT_ENABLE_AUTO_PIPELINING;
  if (typeof autoPipelining !== 'boolean') {
    throw new ConfigError('enableAutoPipelining', 'must be a boolean');
  }
  return {
    name,
    commandTimeout: positiveInteger(
      'commandTimeout',
      options.commandTimeout,
      DEFAULT_COMMAND_TIMEOUT_MS,
    ),
    connectTimeout: positiveInteger(
      'connectTimeout',
      options.connectTimeout,
      DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    maxReconnectDelay: positiveInteger(
      'maxReconnectDelay',
      options.maxReconnectDelay,
      DEFAULT_MAX_RECONNECT_DELAY_MS,
    ),
    closeTimeout: positiveInteger('closeTimeout', options.closeTimeout, DEFAULT_CLOSE_TIMEOUT_MS),
    maxValueBytes: positiveInteger(
      'maxValueBytes',
      options.maxValueBytes,
      DEFAULT_MAX_VALUE_BYTES,
      REDIS_MAX_VALUE_BYTES,
    ),
    enableAutoPipelining: autoPipelining,
  };
}

function positiveInteger(
  field: string,
  value: unknown,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${String(value)}`);
  }
  if (value > max) {
    throw new ConfigError(field, `must be at most ${max}, got ${value}`);
  }
  return value;
}
