import { ConfigError, plainObject } from '@resilient-store/core/backend';
import { type MemcachedBackend, memcachedBackend } from './memcached-backend.js';
import type { MemcachedBackendOptions } from './options.js';

/**
 * Builds a Memcached backend from plain data, e.g. parsed from JSON or YAML:
 * `{ type: 'memcached', servers, ...options }`. Every field is checked; an unknown or
 * mistyped field is a `ConfigError` naming it.
 */
export function fromConfig(config: Record<string, unknown>): MemcachedBackend {
  const { type, ...options } = plainObject(config, 'config');
  if (type !== undefined && type !== 'memcached') {
    throw new ConfigError('type', `must be 'memcached', got ${String(type)}`);
  }
  for (const [field, value] of Object.entries(options)) {
    if (value === undefined) delete options[field];
  }
  // resolveSettings checks every field's presence, type and range.
  return memcachedBackend(options as unknown as MemcachedBackendOptions);
}
