import { describe, expect, it } from 'vitest';
import { Superseded } from '../../src/recovery/superseded.js';
import { encodeTombstone, encodeValue } from '../../src/values/envelope.js';
import { jsonSerializer } from '../../src/values/serializer.js';

const at = (stamp: number) => encodeValue('v', jsonSerializer, stamp);

describe('Superseded', () => {
  it('hides a copy at or below the stamp a backend above took, not a newer one', () => {
    const superseded = new Superseded(10);
    expect(superseded.active).toBe(false);
    superseded.supersede('k', 100);
    expect(superseded.active).toBe(true);
    expect(superseded.hides('k', at(99))).toBe(true);
    expect(superseded.hides('k', at(100))).toBe(true);
    expect(superseded.hides('k', at(101))).toBe(false);
    expect(superseded.hides('other', at(1))).toBe(false);
    expect(superseded.hides('k', encodeTombstone(50))).toBe(true);
    // A value without a stamp is not one of the store's copies.
    expect(superseded.hides('k', 'plain text')).toBe(false);
  });

  it('keeps the higher of two stamps for a key', () => {
    const superseded = new Superseded(10);
    superseded.supersede('k', 200);
    superseded.supersede('k', 100);
    expect(superseded.hides('k', at(150))).toBe(true);
  });

  it('forgets a key once its copies up to that stamp are gone, and goes idle', () => {
    const superseded = new Superseded(10);
    superseded.supersede('k', 100);
    superseded.settled('k', 99);
    expect(superseded.hides('k', at(100))).toBe(true);
    superseded.settled('k', 100);
    expect(superseded.hides('k', at(100))).toBe(false);
    expect(superseded.active).toBe(false);
  });

  it('beyond its limit, hides every copy up to the highest stamp it held: misses, never stale reads', () => {
    const superseded = new Superseded(2);
    superseded.supersede('a', 10);
    superseded.supersede('b', 30);
    superseded.supersede('c', 20);
    expect(superseded.size).toBe(0);
    expect(superseded.hides('anything', at(30))).toBe(true);
    expect(superseded.hides('anything', at(31))).toBe(false);
    superseded.settled('a', 10);
    expect(superseded.active).toBe(true);
  });

  it('after an overflow, hides every copy up to its resolution', () => {
    const superseded = new Superseded(10);
    superseded.supersedeAll(500);
    expect(superseded.hides('x', at(500))).toBe(true);
    expect(superseded.hides('x', at(501))).toBe(false);
    superseded.reset();
    expect(superseded.active).toBe(false);
    expect(superseded.hides('x', at(1))).toBe(false);
  });
});
