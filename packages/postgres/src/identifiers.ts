import { ConfigError } from '@resilient-store/core/backend';

/**
 * Table and schema names end up in SQL text, where no bind parameter can stand in for
 * them. Only plain identifiers are accepted (letters, digits, underscores, not starting
 * with a digit), and they are quoted anyway so case is kept and no name is a keyword.
 */
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL truncates identifiers past NAMEDATALEN - 1 bytes; a truncated name would be a different one. */
export const MAX_IDENTIFIER_LENGTH = 63;

/** Throws `ConfigError(field)` unless `value` is a plain identifier of at most `maxLength` characters. */
export function checkIdentifier(field: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(field, 'must be a non-empty string');
  }
  if (value.length > maxLength) {
    throw new ConfigError(field, `must be at most ${maxLength} characters, got ${value.length}`);
  }
  if (!PLAIN_IDENTIFIER.test(value)) {
    throw new ConfigError(
      field,
      `${JSON.stringify(value.slice(0, 80))} is not a plain identifier (letters, digits and _, not starting with a digit)`,
    );
  }
  return value;
}

/** `"name"`: safe for a checked identifier, and keeps its case. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
