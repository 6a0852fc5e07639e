import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, isMiss, sameBytes, uniquePrefix } from './fixtures.js';

/**
 * Prefixes with characters that are patterns in the query languages backends use
 * (Redis SCAN MATCH globs, SQL LIKE), each beside a key that an unescaped pattern
 * would wrongly match.
 */
const PATTERN_CASES: ReadonlyArray<{ prefix: string; bystander: string }> = [
  { prefix: 'star*:', bystander: 'starX:k' },
  { prefix: 'question?:', bystander: 'questionX:k' },
  { prefix: 'class[ab]:', bystander: 'classa:k' },
  { prefix: 'backslash\\:', bystander: 'backslash:k' },
  { prefix: 'percent%:', bystander: 'percentXY:k' },
  { prefix: 'underscore_:', bystander: 'underscoreX:k' },
];

/** `clear(prefix)` removes exactly the keys that start with the prefix. */
export function clearTests({ backend, options }: ConformanceContext): void {
  it('clears a prefix and leaves other keys alone', async () => {
    const base = uniquePrefix();
    const doomed = [`${base}users:1`, `${base}users:2`, `${base}users:`];
    const kept = [`${base}users`, `${base}Users:1`, `${base}other:users:1`, `${base}user:1`];
    for (const key of [...doomed, ...kept]) await backend().set(key, bytesOf(key), undefined);
    await backend().clear(`${base}users:`);
    for (const key of doomed) expect(isMiss(await backend().get(key)), key).toBe(true);
    for (const key of kept)
      expect(sameBytes(await backend().get(key), bytesOf(key)), key).toBe(true);
    await backend().deleteMany(kept);
  });

  it('treats pattern characters in a prefix literally', async () => {
    const base = uniquePrefix();
    for (const { prefix, bystander } of PATTERN_CASES) {
      const victim = `${base}${prefix}k`;
      const neighbour = `${base}${bystander}`;
      await backend().set(victim, bytesOf('victim'), undefined);
      await backend().set(neighbour, bytesOf('neighbour'), undefined);
      await backend().clear(`${base}${prefix}`);
      expect(isMiss(await backend().get(victim)), victim).toBe(true);
      expect(sameBytes(await backend().get(neighbour), bytesOf('neighbour')), neighbour).toBe(true);
    }
    await backend().clear(base);
  });

  it(`clears a prefix holding many keys`, async () => {
    const base = uniquePrefix();
    const many = Array.from({ length: options.manyKeys }, (_, i) => ({
      key: `${base}bulk:${i}`,
      value: bytesOf(String(i)),
      ttlMs: i % 2 === 0 ? undefined : 10 * 60_000,
    }));
    const kept = [`${base}bulk`, `${base}keep:1`];
    await backend().setMany(many);
    for (const key of kept) await backend().set(key, bytesOf(key), undefined);
    await backend().clear(`${base}bulk:`);
    const after = await backend().getMany(many.map((entry) => entry.key));
    expect(after.filter((value) => value !== undefined)).toHaveLength(0);
    for (const key of kept)
      expect(sameBytes(await backend().get(key), bytesOf(key)), key).toBe(true);
    await backend().deleteMany(kept);
  });
}
