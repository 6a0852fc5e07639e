import { ConfigError } from '../errors.js';
import { isWellFormed, preview } from '../kit/keys.js';

/** The key a backend sees: `namespace:key`, or the key itself without a namespace. */
export function namespacedKey(namespace: string | undefined, key: string): string {
  return namespace === undefined ? key : `${namespace}:${key}`;
}

/** A namespace is absent, or a non-empty, well-formed string (it becomes part of every key). */
export function validateNamespace(namespace: unknown): string | undefined {
  if (namespace === undefined) return undefined;
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new ConfigError('namespace', 'must be a non-empty string when given');
  }
  if (!isWellFormed(namespace)) {
    throw new ConfigError('namespace', `${preview(namespace)} contains a lone surrogate`);
  }
  return namespace;
}
