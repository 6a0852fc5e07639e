import { ConfigError } from '../errors.js';
import { isWellFormed, preview } from '../kit/keys.js';

/**
 * Joins a namespace to its keys. A namespace may not contain it, so namespaces are
 * prefix-free: `app:` never starts a key of namespace `app:v2` (which is refused),
 * and namespace `a` with key `b:c` cannot meet a namespace `a:b`.
 */
export const NAMESPACE_SEPARATOR = ':';

/** The key a backend sees: `namespace:key`, or the key itself without a namespace. */
export function namespacedKey(namespace: string | undefined, key: string): string {
  return namespace === undefined ? key : `${namespace}${NAMESPACE_SEPARATOR}${key}`;
}

/**
 * A namespace is absent, or a non-empty, well-formed string without the separator
 * (it becomes part of every key, and `clear()` removes exactly the keys it starts).
 */
export function validateNamespace(namespace: unknown): string | undefined {
  if (namespace === undefined) return undefined;
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new ConfigError('namespace', 'must be a non-empty string when given');
  }
  if (!isWellFormed(namespace)) {
    throw new ConfigError('namespace', `${preview(namespace)} contains a lone surrogate`);
  }
  if (namespace.includes(NAMESPACE_SEPARATOR)) {
    throw new ConfigError(
      'namespace',
      `${preview(namespace)} contains '${NAMESPACE_SEPARATOR}', which separates the namespace from the key; a namespace containing it could overlap another (e.g. 'app' and 'app${NAMESPACE_SEPARATOR}v2')`,
    );
  }
  return namespace;
}
