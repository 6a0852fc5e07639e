/**
 * A hybrid logical clock: the stamps that order writes for recovery.
 *
 * A stamp is one safe integer, `wallMs * STAMPS_PER_MS + counter`: the wall time
 * in milliseconds with a logical counter in its last three decimal digits. The
 * clock hands out strictly increasing stamps and never falls behind a stamp it
 * has read (`observe`), so a write made after reading another process's value is
 * ordered after that value even when this machine's clock runs behind. When more
 * than `STAMPS_PER_MS` stamps are taken within one millisecond, or while the
 * clock is held ahead by an observed stamp, the counter carries into the
 * millisecond part: stamps run slightly ahead of the wall clock, and the wall
 * clock takes over again once it passes them.
 *
 * Bounds: wall times up to 9,007,199,254,740 ms (year 2255) keep a stamp below
 * 2^53, exact in a JavaScript number and in a Lua double.
 */

/** Logical ticks per wall millisecond in a stamp. */
export const STAMPS_PER_MS = 1000;

/** The largest stamp any writer produces (below 2^53). */
export const MAX_STAMP = Number.MAX_SAFE_INTEGER;

/** The stamp a value written at `wallMs` by a writer without a logical clock carries. */
export function stampAtWall(wallMs: number): number {
  return wallMs * STAMPS_PER_MS;
}

/** The wall time (ms) part of a stamp. */
export function wallOfStamp(stamp: number): number {
  return Math.floor(stamp / STAMPS_PER_MS);
}

/** True for a value that can be a stamp. */
export function isStamp(stamp: unknown): stamp is number {
  return typeof stamp === 'number' && Number.isSafeInteger(stamp) && stamp >= 0;
}

export class HybridClock {
  /** The last stamp handed out or observed. */
  private last = 0;

  /** `wallClock` is injectable for tests (fake and skewed clocks). */
  constructor(private readonly wallClock: () => number = Date.now) {}

  /** A fresh stamp, greater than every stamp handed out or observed before. */
  now(): number {
    return this.at(this.wallClock());
  }

  /** As `now`, with the wall time already read by the caller (the hot path reads it once). */
  at(wallMs: number): number {
    const wall = wallMs * STAMPS_PER_MS;
    const next = wall > this.last ? wall : this.last + 1;
    this.last = next;
    return next;
  }

  /** Advance past `stamp`, read from a backend: every later stamp is greater. */
  observe(stamp: number): void {
    if (stamp > this.last && stamp <= MAX_STAMP) this.last = stamp;
  }

  /** The last stamp handed out or observed (0 before the first). */
  get latest(): number {
    return this.last;
  }
}
