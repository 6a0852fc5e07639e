import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import {
  allByteValues,
  bytesOf,
  isMiss,
  randomValue,
  sameBytes,
  uniquePrefix,
} from './fixtures.js';

/** Values go in and come back byte for byte, whatever the bytes are. */
export function valueTests({ backend, options }: ConformanceContext): void {
  it('declares a name and usable capabilities', () => {
    const { name, capabilities } = backend();
    expect(typeof name).toBe('string');
    expect(name.length).toBeGreaterThan(0);
    expect(typeof capabilities.shared).toBe('boolean');
    expect(typeof capabilities.persistent).toBe('boolean');
    expect(Number.isSafeInteger(capabilities.maxKeyBytes)).toBe(true);
    expect(capabilities.maxKeyBytes).toBeGreaterThan(0);
    expect(Number.isSafeInteger(capabilities.maxValueBytes)).toBe(true);
    expect(capabilities.maxValueBytes).toBeGreaterThan(0);
  });

  it('answers a miss (undefined or null) for a key that was never set', async () => {
    expect(isMiss(await backend().get(`${uniquePrefix()}absent`))).toBe(true);
  });

  it('round-trips every byte value', async () => {
    const key = `${uniquePrefix()}binary`;
    const value = allByteValues();
    await backend().set(key, value, undefined);
    const got = await backend().get(key);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(sameBytes(got, value)).toBe(true);
  });

  it('round-trips an empty value as an empty array, not a miss', async () => {
    const key = `${uniquePrefix()}empty`;
    await backend().set(key, new Uint8Array(0), undefined);
    const got = await backend().get(key);
    expect(isMiss(got)).toBe(false);
    expect(sameBytes(got, new Uint8Array(0))).toBe(true);
  });

  it('stores a string value as its UTF-8 bytes', async () => {
    const key = `${uniquePrefix()}string`;
    const value = '\u0002{"text":"héllo — 你好 🌍","nul":"\u0000"}';
    await backend().set(key, value, undefined);
    expect(sameBytes(await backend().get(key), bytesOf(value))).toBe(true);
  });

  it('round-trips an empty string value as empty, not a miss', async () => {
    const key = `${uniquePrefix()}empty-string`;
    await backend().set(key, '', undefined);
    const got = await backend().get(key);
    expect(isMiss(got)).toBe(false);
    expect(sameBytes(got, '')).toBe(true);
  });

  it('round-trips UTF-8 text bytes', async () => {
    const key = `${uniquePrefix()}unicode`;
    const value = bytesOf('héllo wörld — 你好 — 🌍🚀 — \u0000\r\n\t');
    await backend().set(key, value, undefined);
    expect(sameBytes(await backend().get(key), value)).toBe(true);
  });

  it('round-trips a large value', async () => {
    const size = Math.min(backend().capabilities.maxValueBytes, options.largeValueBytes);
    const key = `${uniquePrefix()}large`;
    const value = randomValue(size);
    await backend().set(key, value, undefined);
    expect(sameBytes(await backend().get(key), value)).toBe(true);
  });

  it('stores only the bytes of a view, not the rest of its buffer', async () => {
    const key = `${uniquePrefix()}view`;
    const backing = Uint8Array.from([9, 9, 1, 2, 3, 9, 9]);
    await backend().set(key, backing.subarray(2, 5), undefined);
    expect(sameBytes(await backend().get(key), Uint8Array.from([1, 2, 3]))).toBe(true);
  });

  it('does not let callers change stored data through the buffers they passed or got', async () => {
    const key = `${uniquePrefix()}isolated`;
    const value = Uint8Array.from([1, 2, 3]);
    await backend().set(key, value, undefined);
    value[0] = 42;
    const first = await backend().get(key);
    expect(sameBytes(first, Uint8Array.from([1, 2, 3]))).toBe(true);
    if (first instanceof Uint8Array) first[1] = 42;
    expect(sameBytes(await backend().get(key), Uint8Array.from([1, 2, 3]))).toBe(true);
  });

  it('overwrites a value on set', async () => {
    const key = `${uniquePrefix()}overwrite`;
    await backend().set(key, bytesOf('first, and longer'), undefined);
    await backend().set(key, bytesOf('second'), undefined);
    expect(sameBytes(await backend().get(key), bytesOf('second'))).toBe(true);
  });

  it('deletes: true when something was removed, false otherwise', async () => {
    const key = `${uniquePrefix()}delete`;
    await backend().set(key, bytesOf('v'), undefined);
    expect(await backend().delete(key)).toBe(true);
    expect(isMiss(await backend().get(key))).toBe(true);
    expect(await backend().delete(key)).toBe(false);
    expect(await backend().delete(`${uniquePrefix()}never-set`)).toBe(false);
  });

  it('answers ping', async () => {
    await expect(backend().ping()).resolves.toBeUndefined();
  });
}
