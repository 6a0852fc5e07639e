import { keyBytes } from '@resilient-store/core';
import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, keyOfBytes, sameBytes, uniquePrefix } from './fixtures.js';

/**
 * The key at the limit is capped here: a backend may declare a huge `maxKeyBytes`
 * (Redis allows 512 MB), and a key of that size tests nothing more than 64 KiB does
 * while making the suite slow and memory-hungry.
 */
const LIMIT_KEY_CAP_BYTES = 64 * 1024;

/** Suffixes that break naive backends: separators, escapes, object-property names. */
const AWKWARD_SUFFIXES = [
  'with space',
  'with_space',
  'With Space',
  'tab\there',
  'new\nline',
  'carriage\r\nreturn',
  'nul\u0000byte',
  'ünïcödé',
  '键',
  '😀 emoji',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'quote"\'`',
  'back\\slash',
  'glob*?[x]',
  'percent%_like',
  '{hash}tag',
  ':',
];

/** Any key the backend declares it can store works, and distinct keys stay distinct. */
export function keyTests({ backend }: ConformanceContext): void {
  it('keeps awkward keys distinct and readable', async () => {
    const prefix = uniquePrefix();
    const keys = AWKWARD_SUFFIXES.map((suffix) => prefix + suffix);
    for (const key of keys) await backend().set(key, bytesOf(key), undefined);
    for (const key of keys) {
      expect(sameBytes(await backend().get(key), bytesOf(key)), JSON.stringify(key)).toBe(true);
    }
    for (const key of keys) expect(await backend().delete(key), JSON.stringify(key)).toBe(true);
  });

  it('stores a key of exactly maxKeyBytes (ASCII and multi-byte)', async () => {
    const limit = Math.min(backend().capabilities.maxKeyBytes, LIMIT_KEY_CAP_BYTES);
    const ascii = keyOfBytes(uniquePrefix(), limit);
    const multiByte = keyOfBytes(uniquePrefix(), limit, 'é');
    for (const key of [ascii, multiByte]) {
      expect(keyBytes(key)).toBe(limit);
      await backend().set(key, bytesOf('at the limit'), undefined);
      expect(sameBytes(await backend().get(key), bytesOf('at the limit'))).toBe(true);
      expect(await backend().delete(key)).toBe(true);
    }
  });
}
