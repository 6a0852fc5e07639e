/**
 * What one backend missed: every key written or deleted while that backend was
 * passed over, until the write is replayed into it.
 *
 * One entry per key: the newest write's stamp, whether it set or deleted the
 * key, and its expiry. A newer write replaces an older entry; an older one (a
 * late, slower write of the same process) never replaces a newer. A `clear()`
 * passed over is one entry for its prefix, which covers every key under it.
 *
 * Bounded by `limit` keys: a write of one more key overflows the journal, which
 * then can no longer name what changed; it drops its entries and covers every
 * key until the overflow is resolved (see `onOverflow` in the replay). While the
 * replay resolves it, the journal still covers every key but records writes
 * again, so that writes made during the replay are replayed after it — without
 * bound: they are the writes of one clear's duration, and dropping them would
 * start another clear, during which a steady load could overflow the journal
 * again, so that the backend never served again.
 *
 * `covers(key)` is on the path of every operation of a store with a journal, so
 * it answers from one field while the journal is empty.
 */

export type JournalOp = 'set' | 'delete';

export interface JournalEntry {
  readonly op: JournalOp;
  readonly stamp: number;
  /** When the written value expires (ms since the epoch); `undefined`: never, or a delete. */
  readonly expiresAt: number | undefined;
}

export interface ClearedPrefix {
  readonly prefix: string;
  readonly stamp: number;
}

export class Journal {
  /** True while the journal holds anything: the one check the hot path makes. */
  active = false;
  private readonly entries = new Map<string, JournalEntry>();
  private cleared: ClearedPrefix | undefined;
  private overflow: 'none' | 'overflowed' | 'resolving' = 'none';

  constructor(readonly limit: number) {}

  /** Keys named in the journal (0 after an overflow). */
  get size(): number {
    return this.entries.size;
  }

  /** True from an overflow until `resolvedOverflow`. */
  get overflowed(): boolean {
    return this.overflow !== 'none';
  }

  get clearedPrefix(): ClearedPrefix | undefined {
    return this.cleared;
  }

  /**
   * Records a write of `key` the backend missed. Answers true when this write
   * made the journal overflow (the caller reports it once).
   */
  record(key: string, entry: JournalEntry): boolean {
    this.active = true;
    if (this.overflow === 'overflowed') return false;
    const held = this.entries.get(key);
    if (held !== undefined) {
      if (held.stamp < entry.stamp) this.entries.set(key, entry);
      return false;
    }
    if (this.entries.size >= this.limit && this.overflow === 'none') {
      this.overflow = 'overflowed';
      this.entries.clear();
      return true;
    }
    this.entries.set(key, entry);
    return false;
  }

  /** Records a `clear(prefix)` the backend missed: it covers every key under the prefix. */
  recordClear(prefix: string, stamp: number): void {
    this.active = true;
    // A wider clear already recorded covers this one.
    if (this.cleared && prefix.startsWith(this.cleared.prefix)) {
      this.cleared = { prefix: this.cleared.prefix, stamp };
    } else {
      this.cleared = { prefix, stamp };
    }
    // Entries under the prefix are subsumed; writes after the clear are journaled again.
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(this.cleared.prefix)) this.entries.delete(key);
    }
  }

  /** True when the backend must not serve `key`: it missed a write of it. */
  covers(key: string): boolean {
    if (!this.active) return false;
    if (this.overflow !== 'none' || this.entries.has(key)) return true;
    return this.cleared !== undefined && key.startsWith(this.cleared.prefix);
  }

  /** True when any of `keys` is covered. */
  coversAny(keys: readonly string[]): boolean {
    if (!this.active) return false;
    for (const key of keys) if (this.covers(key)) return true;
    return false;
  }

  get(key: string): JournalEntry | undefined {
    return this.entries.get(key);
  }

  /** A snapshot of the keys, in the order they were first recorded. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The write `entry` of `key` was applied: the key leaves the journal, unless a
   * newer write replaced the entry meanwhile (that one is still to be applied).
   */
  applied(key: string, entry: JournalEntry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.settle();
  }

  /** The cleared prefix `cleared` was applied (the backend's prefix is cleared). */
  appliedClear(cleared: ClearedPrefix): void {
    if (this.cleared !== cleared) return;
    this.cleared = undefined;
    this.settle();
  }

  /**
   * The replay starts resolving an overflow: from now on writes are recorded
   * again (and replayed after it); every key stays covered until `resolvedOverflow`.
   */
  resolvingOverflow(): void {
    if (this.overflow === 'overflowed') this.overflow = 'resolving';
  }

  /**
   * The overflow was resolved (the namespace cleared, or staleness accepted).
   * Answers false when it was not being resolved.
   */
  resolvedOverflow(): boolean {
    if (this.overflow !== 'resolving') return false;
    this.overflow = 'none';
    this.settle();
    return true;
  }

  /** Forgets everything (the store closes). */
  reset(): void {
    this.entries.clear();
    this.cleared = undefined;
    this.overflow = 'none';
    this.active = false;
  }

  private settle(): void {
    this.active = this.overflow !== 'none' || this.cleared !== undefined || this.entries.size > 0;
  }
}
