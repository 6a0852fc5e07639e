import type { StoreConfig } from '../src/options.js';

/**
 * A configuration as read from a file or the environment. The backend packages are not
 * part of core's program, so the compiler does not know their options (see
 * config-types.test.ts); such entries are checked at run time only, which is what
 * these tests exercise.
 */
export type PlainConfig = Omit<StoreConfig, 'backends'> & {
  backends: Array<{ type: string; [field: string]: unknown }>;
};

/** `config` as the `StoreConfig` a file or the environment would have produced. */
export function plainConfig(config: PlainConfig): StoreConfig {
  return config as StoreConfig;
}
