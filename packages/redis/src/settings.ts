import { backendName, booleanOption, positiveInteger } from '@resilient-store/core/backend';
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
  return {
    name: backendName(options.name, DEFAULT_BACKEND_NAME),
    commandTimeout: positiveInteger(options.commandTimeout, 'commandTimeout', {
      fallback: DEFAULT_COMMAND_TIMEOUT_MS,
    }),
    connectTimeout: positiveInteger(options.connectTimeout, 'connectTimeout', {
      fallback: DEFAULT_CONNECT_TIMEOUT_MS,
    }),
    maxReconnectDelay: positiveInteger(options.maxReconnectDelay, 'maxReconnectDelay', {
      fallback: DEFAULT_MAX_RECONNECT_DELAY_MS,
    }),
    closeTimeout: positiveInteger(options.closeTimeout, 'closeTimeout', {
      fallback: DEFAULT_CLOSE_TIMEOUT_MS,
    }),
    maxValueBytes: positiveInteger(options.maxValueBytes, 'maxValueBytes', {
      fallback: DEFAULT_MAX_VALUE_BYTES,
      max: REDIS_MAX_VALUE_BYTES,
    }),
    enableAutoPipelining: booleanOption(
      options.enableAutoPipelining,
      'enableAutoPipelining',
      DEFAULT_ENABLE_AUTO_PIPELINING,
    ),
  };
}
