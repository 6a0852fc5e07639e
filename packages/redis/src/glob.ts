/** Characters with a meaning in a Redis glob pattern (SCAN MATCH, KEYS). */
const GLOB_SPECIAL = /[*?[\]\\]/g;

/** Escapes `text` so that it matches itself, and only itself, in a Redis glob pattern. */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SPECIAL, '\\$&');
}

/** The SCAN MATCH pattern selecting every key that starts with `prefix`. */
export function prefixPattern(prefix: string): string {
  return `${escapeGlob(prefix)}*`;
}
