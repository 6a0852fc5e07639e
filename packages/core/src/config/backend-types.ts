import type { Backend } from '../backend.js';
import { fromConfig as memoryFromConfig } from '../backends/memory.js';
import type { BreakerOptions } from '../options.js';

/**
 * Every backend type `createStore` knows, in one table: adding a backend type is
 * one entry here.
 *
 * - `builtIn`: built by core itself; nothing to install.
 * - `package`: the npm package whose `fromConfig` builds it (see `BackendModule`),
 *   imported only when the type is configured.
 * - `available: false`: the package is published as a placeholder without a
 *   backend yet. Configuring that type is a `ConfigError` when the configuration
 *   is checked, before anything is imported.
 */
export const BACKEND_TYPES = {
  redis: { package: '@resilient-store/redis', available: true },
  postgres: { package: '@resilient-store/postgres', available: false },
  memcached: { package: '@resilient-store/memcached', available: false },
  memory: { builtIn: memoryFromConfig, available: true },
} as const satisfies Record<string, BackendTypeEntry>;

type BackendTypeEntry =
  | { readonly package: string; readonly available: boolean }
  | {
      readonly builtIn: (options: Record<string, unknown>) => Backend;
      readonly available: true;
    };

export type BackendType = keyof typeof BACKEND_TYPES;

/** Types served by a package (all but the built-in ones). */
export type PackagedBackendType = {
  [T in BackendType]: (typeof BACKEND_TYPES)[T] extends { package: string } ? T : never;
}[BackendType];

/** One backend: its type, optional name/required/breaker, and the backend's own options. */
export interface BackendConfig {
  type: BackendType;
  /** Unique within the store; defaults to the type. */
  name?: string;
  /** When true, failing to create this backend fails `createStore` instead of warning. */
  required?: boolean;
  breaker?: BreakerOptions;
  /** Anything else is passed to the backend's `fromConfig`. */
  [option: string]: unknown;
}

/** Fields of a backend entry that belong to the store, not to the backend. */
export const STORE_OWNED_BACKEND_FIELDS: ReadonlySet<string> = new Set([
  'type',
  'required',
  'breaker',
]);

export function isBackendType(type: unknown): type is BackendType {
  return typeof type === 'string' && Object.hasOwn(BACKEND_TYPES, type);
}

/** The known types for error messages: those available, then those announced. */
export function describeKnownTypes(): string {
  const types = Object.keys(BACKEND_TYPES) as BackendType[];
  const available = types.filter((t) => BACKEND_TYPES[t].available);
  const announced = types.filter((t) => !BACKEND_TYPES[t].available);
  return announced.length === 0
    ? available.join(', ')
    : `${available.join(', ')} (not available yet: ${announced.join(', ')})`;
}
