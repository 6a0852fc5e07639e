import type { Backend } from './backend.js';
import { ConfigError } from './errors.js';
import type { BackendSlot, BreakerOptions } from './options.js';

/** A backend as given, or with its own breaker settings. */
export function toSlot(entry: Backend | BackendSlot): BackendSlot {
  return 'backend' in entry && typeof (entry as BackendSlot).backend === 'object'
    ? (entry as BackendSlot)
    : { backend: entry as Backend };
}

export function positive(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** `overrides` over `base`, every field checked; errors name `field`. */
export function breakerOptions(
  base: Required<BreakerOptions>,
  overrides: BreakerOptions | undefined,
  field: string,
): Required<BreakerOptions> {
  const merged = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) {
    positive(value as number, `${field}.${name}`);
  }
  if (merged.errorThresholdPercentage > 100) {
    throw new ConfigError(`${field}.errorThresholdPercentage`, 'must be at most 100');
  }
  return merged;
}
