import { ConfigError } from '../errors.js';

/**
 * Checks for a backend's options as plain data (parsed JSON, YAML, environment):
 * each answers the checked value or throws a `ConfigError` naming `field`, so every
 * backend words the same mistake the same way.
 */

/** A plain `{...}` object: not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` when it is a plain object. */
export function plainObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ConfigError(field, 'must be an object');
  return value;
}

/** `value` when it is a non-empty string. */
export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(field, 'must be a non-empty string');
  }
  return value;
}

/** A backend's `name` option: `fallback` when absent, else a non-empty string. */
export function backendName(value: unknown, fallback: string): string {
  return value === undefined ? fallback : nonEmptyString(value, 'name');
}

/** `value` when it is a boolean; `fallback` when absent and one is given. */
export function booleanOption(value: unknown, field: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(field, 'must be a boolean');
  return value;
}

export interface PositiveIntegerRule {
  /** Answered when the value is absent; without it, absence is an error. */
  readonly fallback?: number;
  /** Largest value allowed. */
  readonly max?: number;
}

/** `value` when it is a positive safe integer (at most `rule.max`); `rule.fallback` when absent. */
export function positiveInteger(
  value: unknown,
  field: string,
  rule: PositiveIntegerRule = {},
): number {
  if (value === undefined && rule.fallback !== undefined) return rule.fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(field, `must be a positive integer, got ${String(value)}`);
  }
  if (rule.max !== undefined && value > rule.max) {
    throw new ConfigError(field, `must be at most ${rule.max}, got ${value}`);
  }
  return value;
}

/**
 * Refuses a field of `options` that is not in `known`, naming it and listing the
 * known ones, so a typo is an error rather than a silently ignored setting.
 */
export function rejectUnknownFields(
  options: Record<string, unknown>,
  known: Iterable<string>,
  kind: string,
): void {
  const allowed = known instanceof Set ? (known as ReadonlySet<string>) : new Set(known);
  for (const field of Object.keys(options)) {
    if (!allowed.has(field)) {
      throw new ConfigError(field, `unknown ${kind} option (known: ${[...allowed].join(', ')})`);
    }
  }
}
