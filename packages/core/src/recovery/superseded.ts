import type { StoredValue } from '../backend.js';
import { stampOf } from '../values/envelope.js';

/**
 * The copies a backend holds that a backend above it has replaced since: answered
 * as misses until the replay has removed them.
 *
 * A replay writes each journaled key back into the recovered backend, which serves
 * it from then on; the copies further down the chain, the outage's, are removed
 * only afterwards. In between, a write of the key lands on the recovered backend
 * alone; were that backend to fail again before the removal, the next one would
 * answer its older copy — a stale read after the caller's own write. So before a
 * replayed key is served again, each backend below records the stamp the recovered
 * backend took for it, and a copy at or below that stamp reads as a miss, exactly
 * as it will once removed. A copy written later (the recovered backend failed again
 * and this one took the write) has a higher stamp and is served.
 *
 * After an overflow the keys are unknown: every copy at or below the stamp at which
 * the overflow was resolved is superseded (`supersedeAll`), for good: what this
 * backend took since is stamped above it.
 *
 * `active` is the one check on the path of a read answered by this backend.
 */
export class Superseded {
  /** True while anything is superseded. */
  active = false;
  private readonly stamps = new Map<string, number>();
  private floor = Number.NEGATIVE_INFINITY;

  /** Beyond `limit` keys, the highest stamp becomes a floor for every key (misses, never stale reads). */
  constructor(private readonly limit: number) {}

  /** Keys named (the floor aside). */
  get size(): number {
    return this.stamps.size;
  }

  /** The copies of `key` at or below `stamp` are superseded. */
  supersede(key: string, stamp: number): void {
    const held = this.stamps.get(key);
    if (held === undefined || held < stamp) this.stamps.set(key, stamp);
    if (this.stamps.size > this.limit) {
      let highest = this.floor;
      for (const s of this.stamps.values()) if (s > highest) highest = s;
      this.floor = highest;
      this.stamps.clear();
    }
    this.active = true;
  }

  /** Every copy at or below `stamp` is superseded, whatever its key. */
  supersedeAll(stamp: number): void {
    if (stamp > this.floor) this.floor = stamp;
    this.active = true;
  }

  /** True when `value`, this backend's copy of `key`, must read as a miss. */
  hides(key: string, value: StoredValue): boolean {
    const stamp = stampOf(value);
    if (stamp === undefined) return false;
    if (stamp <= this.floor) return true;
    const held = this.stamps.get(key);
    return held !== undefined && stamp <= held;
  }

  /**
   * The copies of `key` at or below `stamp` are gone (removed, or this backend
   * took the key's current value itself): nothing to hide for it any more.
   */
  settled(key: string, stamp: number): void {
    const held = this.stamps.get(key);
    if (held !== undefined && held <= stamp) this.stamps.delete(key);
    this.settle();
  }

  /** Forgets everything (the store closes). */
  reset(): void {
    this.stamps.clear();
    this.floor = Number.NEGATIVE_INFINITY;
    this.active = false;
  }

  private settle(): void {
    this.active = this.stamps.size > 0 || this.floor !== Number.NEGATIVE_INFINITY;
  }
}
