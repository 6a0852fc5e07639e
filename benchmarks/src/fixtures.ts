/**
 * Keys and values of the benchmark: a few hundred keys per keyspace and JSON objects of
 * about 100 bytes, the size of a typical small cache entry (a session, a feature flag
 * set, a user summary).
 */
import { KEY_COUNT } from './config.js';

export interface CachedValue {
  id: number;
  user: string;
  plan: string;
  flags: string[];
  score: number;
  updatedAt: number;
}

/** `prefix:0` … `prefix:(KEY_COUNT-1)`; raw and store variants use prefixes of equal length. */
export function keysFor(prefix: string): string[] {
  return Array.from({ length: KEY_COUNT }, (_, i) => `${prefix}:${String(i).padStart(4, '0')}`);
}

/** Distinct values, so no layer can get away with caching one serialized string. */
export function makeValues(count = 64): CachedValue[] {
  return Array.from({ length: count }, (_, i) => ({
    id: 100_000 + i,
    user: `user-${String(i).padStart(5, '0')}`,
    plan: i % 3 === 0 ? 'pro' : 'free',
    flags: ['beta', i % 2 === 0 ? 'dark' : 'light'],
    score: Math.round(i * 13.37 * 100) / 100,
    updatedAt: 1_700_000_000_000 + i,
  }));
}

/** Bytes of a value's JSON text, reported with the results. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
