/** A TTL: milliseconds, or a duration string such as '500ms', '30s', '5m', '1h', '1d'. */
export type Ttl = number | string;
// TODO(core-values): parseTtl, applyJitter
