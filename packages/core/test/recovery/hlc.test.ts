import { describe, expect, it } from 'vitest';
import {
  HybridClock,
  isStamp,
  STAMPS_PER_MS,
  stampAtWall,
  wallOfStamp,
} from '../../src/recovery/hlc.js';

/** A wall clock the test moves by hand. */
function fakeWall(start: number) {
  let now = start;
  return {
    read: () => now,
    set: (ms: number) => {
      now = ms;
    },
  };
}

const T0 = 1_732_000_000_000;

describe('HybridClock', () => {
  it('follows the wall clock when it moves forward', () => {
    const wall = fakeWall(T0);
    const clock = new HybridClock(wall.read);
    expect(clock.now()).toBe(stampAtWall(T0));
    wall.set(T0 + 5);
    expect(clock.now()).toBe(stampAtWall(T0 + 5));
    expect(wallOfStamp(clock.latest)).toBe(T0 + 5);
  });

  it('hands out strictly increasing stamps within one millisecond', () => {
    const clock = new HybridClock(() => T0);
    const stamps = Array.from({ length: 10 }, () => clock.now());
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBe(stamps[i - 1]! + 1);
    expect(wallOfStamp(stamps[9]!)).toBe(T0);
  });

  it('carries the counter into the millisecond part instead of overflowing', () => {
    const clock = new HybridClock(() => T0);
    let previous = 0;
    for (let i = 0; i < STAMPS_PER_MS + 10; i++) {
      const stamp = clock.now();
      expect(stamp).toBeGreaterThan(previous);
      previous = stamp;
    }
    expect(wallOfStamp(previous)).toBe(T0 + 1);
    expect(isStamp(previous)).toBe(true);
  });

  it('never goes backwards when the wall clock does', () => {
    const wall = fakeWall(T0);
    const clock = new HybridClock(wall.read);
    const before = clock.now();
    wall.set(T0 - 60_000);
    const after = clock.now();
    expect(after).toBeGreaterThan(before);
    wall.set(T0 + 1);
    expect(clock.now()).toBe(stampAtWall(T0 + 1));
  });

  it('orders a write after a value read from a process whose clock runs ahead', () => {
    const slowWall = fakeWall(T0);
    const fastWall = fakeWall(T0 + 30_000); // 30 s of skew
    const slow = new HybridClock(slowWall.read);
    const fast = new HybridClock(fastWall.read);
    const theirs = fast.now();
    // Without observing, the slow process's write would be ordered before theirs.
    expect(new HybridClock(slowWall.read).now()).toBeLessThan(theirs);
    slow.observe(theirs);
    const mine = slow.now();
    expect(mine).toBeGreaterThan(theirs);
    // And the fast process, reading the slow one's write, orders its next one after it.
    fast.observe(mine);
    expect(fast.now()).toBeGreaterThan(mine);
  });

  it('ignores observed stamps that are older or invalid', () => {
    const clock = new HybridClock(() => T0);
    const first = clock.now();
    clock.observe(first - 500);
    clock.observe(Number.MAX_SAFE_INTEGER + 2);
    expect(clock.now()).toBe(first + 1);
  });

  it('takes the wall time from the caller when given', () => {
    const clock = new HybridClock(() => 0);
    expect(clock.at(T0)).toBe(stampAtWall(T0));
    expect(clock.at(T0)).toBe(stampAtWall(T0) + 1);
  });
});

describe('stamps', () => {
  it('stay exact safe integers for wall times up to year 2255', () => {
    const late = Date.UTC(2255, 0, 1);
    expect(isStamp(stampAtWall(late) + 999)).toBe(true);
    expect(wallOfStamp(stampAtWall(late) + 999)).toBe(late);
    expect(isStamp(-1)).toBe(false);
    expect(isStamp(1.5)).toBe(false);
  });
});
