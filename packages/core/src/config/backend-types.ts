import type { Backend } from '../backend.js';
import { type MemoryBackendOptions, fromConfig as memoryFromConfig } from '../backends/memory.js';
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
  postgres: { package: '@resilient-store/postgres', available: true },
  memcached: { package: '@resilient-store/memcached', available: true },
  memory: { builtIn: memoryFromConfig, available: true },
} as const satisfies Record<string, BackendTypeEntry>;

export type BackendTypeEntry =
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

/**
 * The options of each backend type, by type, for the compiler: `createStore`'s
 * `backends` entries are a union discriminated on `type`, so a misspelt field or a
 * value of the wrong type fails to compile.
 *
 * Core declares `memory`. Each backend package adds its own type by declaration
 * merging, in its index:
 *
 * ```ts
 * declare module '@resilient-store/core' {
 *   interface BackendConfigTypes { redis: RedisBackendConfig }
 * }
 * ```
 *
 * so the compiler knows a type's options once the package is part of the program
 * (imported anywhere, if only as `import type {} from '@resilient-store/redis'`).
 * Only types of `BACKEND_TYPES` count: an entry for another name adds nothing, since
 * `createStore` could not build it.
 */
export interface BackendConfigTypes {
  memory: MemoryBackendOptions;
}

/** The fields every backend entry may carry, whatever its type. */
export interface BackendConfigBase {
  /** Unique within the store; defaults to the type. */
  name?: string;
  /** When true, failing to create this backend fails `createStore` instead of warning. */
  required?: boolean;
  /** This backend's breaker settings, over the store-wide ones. */
  breaker?: BreakerOptions;
}

/** Types whose options the compiler knows (declared by core or by an imported package). */
export type DeclaredBackendType = keyof BackendConfigTypes & BackendType;

/** One entry of `createStore`'s `backends` for the type `T`. */
export type BackendConfigOf<T extends DeclaredBackendType> = { type: T } & BackendConfigBase &
  BackendConfigTypes[T];

/** One backend: its type, optional name/required/breaker, and the options of its type. */
export type BackendConfig =
  | { [T in DeclaredBackendType]: BackendConfigOf<T> }[DeclaredBackendType]
  | {
      // A packaged type whose package the program does not import: its options are
      // unknown to the compiler, so no entry of that type compiles. Written out rather
      // than named, so that the compiler's message shows `declareWith`, the one line
      // that declares them. (Options are never taken unchecked: that is how a
      // misspelt option used to go unnoticed.)
      [T in UndeclaredBackendType]: {
        type: T;
        declareWith: `import type {} from '${(typeof BACKEND_TYPES)[T]['package']}'`;
      } & BackendConfigBase;
    }[UndeclaredBackendType];

/** Packaged types whose package the program does not import. */
type UndeclaredBackendType = Exclude<PackagedBackendType, DeclaredBackendType>;

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
