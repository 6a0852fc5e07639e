import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, sameBytes, uniquePrefix } from './fixtures.js';

/** getMany / setMany / deleteMany keep order, allow duplicates and tolerate misses. */
export function bulkTests({ backend }: ConformanceContext): void {
  it('getMany answers in order, with duplicates and misses', async () => {
    const p = uniquePrefix();
    await backend().set(`${p}a`, bytesOf('A'), undefined);
    await backend().set(`${p}b`, bytesOf('B'), undefined);
    const got = await backend().getMany([`${p}b`, `${p}missing`, `${p}a`, `${p}b`, `${p}a`]);
    expect(got).toHaveLength(5);
    expect(sameBytes(got[0], bytesOf('B'))).toBe(true);
    expect(got[1]).toBeUndefined();
    expect(sameBytes(got[2], bytesOf('A'))).toBe(true);
    expect(sameBytes(got[3], bytesOf('B'))).toBe(true);
    expect(sameBytes(got[4], bytesOf('A'))).toBe(true);
  });

  it('handles empty lists', async () => {
    expect(await backend().getMany([])).toEqual([]);
    await expect(backend().setMany([])).resolves.toBeUndefined();
    expect(await backend().deleteMany([])).toBe(0);
  });

  it('setMany writes every entry, the last of duplicate keys winning', async () => {
    const p = uniquePrefix();
    await backend().setMany([
      { key: `${p}x`, value: bytesOf('x1'), ttlMs: undefined },
      { key: `${p}y`, value: bytesOf('y'), ttlMs: 60_000 },
      { key: `${p}x`, value: bytesOf('x2'), ttlMs: undefined },
      { key: `${p}empty`, value: new Uint8Array(0), ttlMs: undefined },
      { key: `${p}text`, value: 'tëxt ✓', ttlMs: 60_000 },
    ]);
    const [x, y, empty, text] = await backend().getMany([
      `${p}x`,
      `${p}y`,
      `${p}empty`,
      `${p}text`,
    ]);
    expect(sameBytes(x, bytesOf('x2'))).toBe(true);
    expect(sameBytes(y, bytesOf('y'))).toBe(true);
    expect(empty).toBeDefined();
    expect(sameBytes(empty, '')).toBe(true);
    expect(sameBytes(text, bytesOf('tëxt ✓'))).toBe(true);
  });

  it('deleteMany counts each removed key once, ignoring duplicates and misses', async () => {
    const p = uniquePrefix();
    await backend().setMany([
      { key: `${p}1`, value: bytesOf('1'), ttlMs: undefined },
      { key: `${p}2`, value: bytesOf('2'), ttlMs: undefined },
      { key: `${p}keep`, value: bytesOf('k'), ttlMs: undefined },
    ]);
    expect(await backend().deleteMany([`${p}1`, `${p}1`, `${p}missing`, `${p}2`])).toBe(2);
    expect(await backend().getMany([`${p}1`, `${p}2`])).toEqual([undefined, undefined]);
    expect(sameBytes(await backend().get(`${p}keep`), bytesOf('k'))).toBe(true);
  });
}
