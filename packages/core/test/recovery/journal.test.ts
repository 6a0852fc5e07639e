import { describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../../src/recovery/journal.js';

const set = (stamp: number, expiresAt?: number): JournalEntry => ({ op: 'set', stamp, expiresAt });
const del = (stamp: number): JournalEntry => ({ op: 'delete', stamp, expiresAt: undefined });

describe('Journal', () => {
  it('is inactive and covers nothing while empty', () => {
    const journal = new Journal(10);
    expect(journal.active).toBe(false);
    expect(journal.covers('a')).toBe(false);
    expect(journal.coversAny(['a', 'b'])).toBe(false);
  });

  it('keeps one entry per key: a newer write replaces an older one, never the reverse', () => {
    const journal = new Journal(10);
    journal.record('k', set(5, 1000));
    journal.record('k', del(7));
    expect(journal.get('k')).toEqual(del(7));
    journal.record('k', set(6));
    expect(journal.get('k')).toEqual(del(7));
    expect(journal.size).toBe(1);
    expect(journal.covers('k')).toBe(true);
    expect(journal.covers('other')).toBe(false);
  });

  it('lets a key leave only when the applied entry is still the newest', () => {
    const journal = new Journal(10);
    const first = set(1);
    journal.record('k', first);
    const newer = set(2);
    journal.record('k', newer);
    journal.applied('k', first);
    expect(journal.covers('k')).toBe(true);
    journal.applied('k', newer);
    expect(journal.covers('k')).toBe(false);
    expect(journal.active).toBe(false);
  });

  it('overflows past its limit: names nothing more and covers every key', () => {
    const journal = new Journal(2);
    expect(journal.record('a', set(1))).toBe(false);
    expect(journal.record('b', set(2))).toBe(false);
    // A key already journaled is no new key.
    expect(journal.record('a', set(3))).toBe(false);
    expect(journal.record('c', set(4))).toBe(true);
    expect(journal.overflowed).toBe(true);
    expect(journal.size).toBe(0);
    expect(journal.covers('never-written')).toBe(true);
    // Reported once: later writes do not overflow it again.
    expect(journal.record('d', set(5))).toBe(false);
  });

  it('records writes again while an overflow is resolved, and keeps covering until it is', () => {
    const journal = new Journal(2);
    journal.record('a', set(1));
    journal.record('b', set(2));
    journal.record('c', set(3));
    journal.resolvingOverflow();
    journal.record('during', set(4));
    expect(journal.covers('anything')).toBe(true);
    expect(journal.resolvedOverflow()).toBe(true);
    expect(journal.overflowed).toBe(false);
    expect(journal.keys()).toEqual(['during']);
    expect(journal.covers('anything')).toBe(false);
    expect(journal.covers('during')).toBe(true);
  });

  it('records every write while an overflow is resolved, past its limit, so the resolution ends', () => {
    // Under steady load more keys than the limit can be written during one clear; dropping
    // them would need another clear, and the next one the same, without end.
    const journal = new Journal(1);
    journal.record('a', set(1));
    expect(journal.record('b', set(2))).toBe(true);
    journal.resolvingOverflow();
    expect(journal.record('c', set(3))).toBe(false);
    expect(journal.record('d', set(4))).toBe(false);
    expect(journal.resolvedOverflow()).toBe(true);
    expect(journal.overflowed).toBe(false);
    expect(journal.keys()).toEqual(['c', 'd']);
    // Resolved: past the limit, a new key overflows it again.
    expect(journal.record('e', set(5))).toBe(true);
  });

  it('answers false when no overflow was being resolved', () => {
    const journal = new Journal(1);
    expect(journal.resolvedOverflow()).toBe(false);
  });

  it('records a cleared prefix that covers every key under it and subsumes their entries', () => {
    const journal = new Journal(10);
    journal.record('ns:a', set(1));
    journal.record('other:b', set(2));
    journal.recordClear('ns:', 3);
    expect(journal.keys()).toEqual(['other:b']);
    expect(journal.covers('ns:never-written')).toBe(true);
    expect(journal.covers('other:c')).toBe(false);
    // Writes after the clear are journaled again, and a narrower clear keeps the wider one.
    journal.record('ns:a', set(4));
    journal.recordClear('ns:sub:', 5);
    expect(journal.clearedPrefix).toEqual({ prefix: 'ns:', stamp: 5 });
    expect(journal.covers('ns:a')).toBe(true);
    journal.appliedClear(journal.clearedPrefix!);
    expect(journal.covers('ns:never-written')).toBe(false);
    expect(journal.covers('ns:sub:a')).toBe(false);
  });

  it('forgets everything on reset', () => {
    const journal = new Journal(1);
    journal.record('a', set(1));
    journal.record('b', set(1));
    journal.recordClear('', 2);
    journal.reset();
    expect(journal.active).toBe(false);
    expect(journal.covers('a')).toBe(false);
  });
});
