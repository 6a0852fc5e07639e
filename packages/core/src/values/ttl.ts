import { ConfigError, InvalidTtlError } from '../errors.js';

/** A TTL: milliseconds, or a duration string such as '500ms', '30s', '5m', '1h', '1d'. */
export type Ttl = number | string;

const UNIT_MS = new Map<string, number>([
  ['ms', 1],
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

/**
 * An amount (integer or decimal) and an optional unit; no unit means milliseconds.
 * Matched against the trimmed text, so no two quantifiers compete for the same
 * characters (the old pattern, with `\s*` on both sides of an optional unit,
 * backtracked quadratically: 100 KB of spaces held the event loop for seconds).
 */
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?$/;

/**
 * Longest duration string parsed. Every meaningful duration is far shorter
 * ('86400000ms', '  1.5h '); a longer one is refused before any parsing.
 */
export const MAX_TTL_CHARS = 64;

/** Longest preview of a bad input in an error message, so a huge string is not echoed. */
const PREVIEW_CHARS = 40;

function describe(input: unknown): string {
  if (typeof input === 'string') {
    const preview = input.length > PREVIEW_CHARS ? `${input.slice(0, PREVIEW_CHARS)}…` : input;
    return JSON.stringify(preview);
  }
  return typeof input === 'number' ? String(input) : typeof input;
}

/** Builds the error for a bad TTL: the caller's `InvalidTtlError`, or a `ConfigError` for a setting. */
export type TtlErrorFactory = (field: string, detail: string) => Error;

const invalidTtl: TtlErrorFactory = (field, detail) => new InvalidTtlError(`${field}: ${detail}`);

/** A bad TTL in the store's configuration (`defaultTtl`). */
export const ttlConfigError: TtlErrorFactory = (field, detail) => new ConfigError(field, detail);

function toMs(amountMs: number, input: unknown, field: string, fail: TtlErrorFactory): number {
  // Round up so a sub-millisecond TTL still stores for at least 1 ms instead of 0
  // (which backends read as "no expiry").
  const ms = Math.ceil(amountMs);
  if (!Number.isFinite(amountMs) || ms < 1 || amountMs <= 0 || ms > Number.MAX_SAFE_INTEGER) {
    throw fail(
      field,
      `${describe(input)} is not a positive, finite duration (ms or e.g. '30s', '5m')`,
    );
  }
  return ms;
}

/**
 * Parses a TTL into whole milliseconds (at least 1), or `undefined` for "no TTL given".
 * Numbers are milliseconds; strings are '500ms', '30s', '1.5h', '1d' or plain digits
 * (milliseconds). Anything else is an `InvalidTtlError` naming `field` (or the error
 * `fail` builds).
 */
export function parseTtl(
  ttl: Ttl | undefined,
  field = 'ttl',
  fail: TtlErrorFactory = invalidTtl,
): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl === 'number') return toMs(ttl, ttl, field, fail);
  if (typeof ttl === 'string') {
    if (ttl.length > MAX_TTL_CHARS) {
      throw fail(
        field,
        `${describe(ttl)} is ${ttl.length} characters long, more than any duration (at most ${MAX_TTL_CHARS})`,
      );
    }
    const match = DURATION.exec(ttl.trim());
    const unit = match ? UNIT_MS.get(match[2] ?? 'ms') : undefined;
    if (match?.[1] !== undefined && unit !== undefined)
      return toMs(Number(match[1]) * unit, ttl, field, fail);
  }
  throw fail(
    field,
    `${describe(ttl)} is not a duration (expected ms or e.g. '500ms', '30s', '5m', '1h', '1d')`,
  );
}

/**
 * Spreads expiries so that keys written together do not all expire together: moves
 * the TTL up or down by a random amount of at most `jitter` (a fraction 0..1) of it.
 * Returns whole milliseconds, at least 1.
 */
export function applyJitter(
  ttlMs: number,
  jitter: number,
  random: () => number = Math.random,
): number {
  if (jitter === 0) return ttlMs;
  const offset = (random() * 2 - 1) * jitter * ttlMs;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, Math.round(ttlMs + offset)));
}

/** The jitter fraction: `undefined` means 0; otherwise a number from 0 to 1. */
export function validateJitter(jitter: unknown): number {
  if (jitter === undefined) return 0;
  if (typeof jitter !== 'number' || !Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new ConfigError(
      'jitter',
      `must be a number from 0 to 1 (a fraction of the TTL), got ${describe(jitter)}`,
    );
  }
  return jitter;
}
