import { describe, expect, it } from 'vitest';
import type { Backend, StoredValue } from '../../src/backend.js';
import { memoryBackend } from '../../src/backends/memory.js';
import { HybridClock, stampAtWall } from '../../src/recovery/hlc.js';
import { Journal } from '../../src/recovery/journal.js';
import { type OnOverflow, replayJournal } from '../../src/recovery/replay.js';
import {
  encodeTombstone,
  encodeValue,
  isTombstone,
  readValue,
  stampOf,
} from '../../src/values/envelope.js';
import { jsonSerializer } from '../../src/values/serializer.js';
import { FakeBackend } from '../fake-backend.js';

const NOW = 1_732_000_000_000;
const stampAt = (offsetMs: number, counter = 0) => stampAtWall(NOW + offsetMs) + counter;
const value = (text: string, stamp: number) => encodeValue(text, jsonSerializer, stamp);
const read = (stored: StoredValue | null | undefined) =>
  stored == null ? undefined : readValue(stored, jsonSerializer);

/** A recovered backend, the fallback holding the current values, and a journal between them. */
function setup(
  options: { target?: Backend; limit?: number; onOverflow?: OnOverflow; now?: () => number } = {},
) {
  const target = options.target ?? memoryBackend({ name: 'target' });
  const fallback = memoryBackend({ name: 'fallback' });
  const journal = new Journal(options.limit ?? 100);
  const clock = new HybridClock(() => NOW);
  let reads = 0;
  const replay = () =>
    replayJournal({
      journal,
      target,
      readCurrent: (keys) => {
        reads++;
        return fallback.getMany(keys);
      },
      clock,
      namespacePrefix: 'ns:',
      onOverflow: options.onOverflow ?? 'clear',
      tombstoneTtlMs: 30_000,
      batchSize: 2,
      now: options.now ?? (() => NOW),
    });
  return { target, fallback, journal, clock, replay, reads: () => reads };
}

describe('replayJournal', () => {
  it('writes back the value the fallback holds for a journaled set, with its remaining TTL', async () => {
    const { target, fallback, journal, replay } = setup();
    await target.set('ns:k', value('old', stampAt(-5000)), undefined);
    const stamp = stampAt(-1000);
    await fallback.set('ns:k', value('new', stamp), 60_000);
    journal.record('ns:k', { op: 'set', stamp, expiresAt: NOW + 59_000 });

    const report = await replay();
    expect(report).toMatchObject({ keys: 1, deleted: 0, skipped: 0, complete: true });
    expect(read(await target.get('ns:k'))).toBe('new');
    expect(journal.active).toBe(false);
  });

  it('replaces a journaled delete, or a value gone from the fallback, with a tombstone', async () => {
    const { target, journal, replay } = setup();
    await target.set('ns:deleted', value('old', stampAt(-5000)), undefined);
    await target.set('ns:evicted', value('old', stampAt(-5000)), undefined);
    journal.record('ns:deleted', { op: 'delete', stamp: stampAt(-100), expiresAt: undefined });
    journal.record('ns:evicted', { op: 'set', stamp: stampAt(-50), expiresAt: undefined });

    const report = await replay();
    expect(report).toMatchObject({ keys: 2, deleted: 2, skipped: 0 });
    for (const key of ['ns:deleted', 'ns:evicted']) {
      const held = await target.get(key);
      expect(held != null && isTombstone(held), key).toBe(true);
      expect(read(held), key).toBeUndefined();
    }
  });

  it('deletes a value whose TTL ran out during the outage instead of writing it back', async () => {
    const { target, fallback, journal, replay } = setup();
    const stamp = stampAt(-10_000);
    await target.set('ns:k', value('old', stampAt(-20_000)), undefined);
    await fallback.set('ns:k', value('short-lived', stamp), 60_000);
    journal.record('ns:k', { op: 'set', stamp, expiresAt: NOW - 1 });
    expect(await replay()).toMatchObject({ keys: 1, deleted: 1 });
    expect(read(await target.get('ns:k'))).toBeUndefined();
  });

  it('never overwrites a newer value the target holds, and counts it as skipped', async () => {
    const { target, fallback, journal, replay } = setup();
    const mine = stampAt(-1000);
    await fallback.set('ns:k', value('mine', mine), undefined);
    await target.set('ns:k', value('theirs, newer', stampAt(-10)), undefined);
    journal.record('ns:k', { op: 'set', stamp: mine, expiresAt: undefined });
    expect(await replay()).toMatchObject({ keys: 1, skipped: 1 });
    expect(read(await target.get('ns:k'))).toBe('theirs, newer');
  });

  it('advances the clock past every stamp it reads', async () => {
    const { fallback, journal, clock, replay } = setup();
    const ahead = stampAt(60_000, 3); // another process, its clock a minute ahead
    await fallback.set('ns:k', value('v', ahead), undefined);
    journal.record('ns:k', { op: 'set', stamp: ahead, expiresAt: undefined });
    await replay();
    expect(clock.now()).toBeGreaterThan(ahead);
  });

  it('replays in batches and keeps a key whose entry a newer write replaced meanwhile', async () => {
    const { target, fallback, journal, replay } = setup();
    for (let i = 0; i < 5; i++) {
      const stamp = stampAt(-100, i);
      await fallback.set(`ns:${i}`, value(`v${i}`, stamp), undefined);
      journal.record(`ns:${i}`, { op: 'set', stamp, expiresAt: undefined });
    }
    // A write during the replay: the fallback gets the newer value, the journal its entry.
    const originalGetMany = fallback.getMany.bind(fallback);
    let raced = false;
    fallback.getMany = async (keys) => {
      const answer = await originalGetMany(keys);
      if (!raced && keys.includes('ns:0')) {
        raced = true;
        const stamp = stampAt(0, 50);
        await fallback.set('ns:0', value('during replay', stamp), undefined);
        journal.record('ns:0', { op: 'set', stamp, expiresAt: undefined });
      }
      return answer;
    };
    const report = await replay();
    expect(report.complete).toBe(true);
    expect(report.keys).toBe(6);
    expect(read(await target.get('ns:0'))).toBe('during replay');
    for (let i = 1; i < 5; i++) expect(read(await target.get(`ns:${i}`))).toBe(`v${i}`);
  });

  it('leaves unapplied keys in the journal when the target fails, and finishes on a later try', async () => {
    const target = new FakeBackend('target');
    const { fallback, journal, replay } = setup({ target });
    const stamp = stampAt(-10);
    await fallback.set('ns:k', value('v', stamp), undefined);
    journal.record('ns:k', { op: 'set', stamp, expiresAt: undefined });
    target.mode = 'fail';
    await expect(replay()).rejects.toThrow('target is broken');
    expect(journal.covers('ns:k')).toBe(true);
    target.mode = 'ok';
    // Without conditional writes, the replay writes plainly.
    expect(await replay()).toMatchObject({ keys: 1, complete: true });
    expect(read(target.data.get('ns:k'))).toBe('v');
  });

  it('without conditional writes, deletes plainly', async () => {
    const target = new FakeBackend('target');
    const { journal, replay } = setup({ target });
    target.data.set('ns:k', value('old', stampAt(-5000)));
    journal.record('ns:k', { op: 'delete', stamp: stampAt(-1), expiresAt: undefined });
    expect(await replay()).toMatchObject({ keys: 1, deleted: 1 });
    expect(target.data.has('ns:k')).toBe(false);
  });

  it("after an overflow with 'clear', clears the namespace on the target before it serves", async () => {
    const { target, fallback, journal, replay } = setup({ limit: 1 });
    await target.set('ns:stale', value('old', stampAt(-5000)), undefined);
    await target.set('elsewhere', value('kept', stampAt(-5000)), undefined);
    journal.record('ns:a', { op: 'set', stamp: stampAt(-3), expiresAt: undefined });
    journal.record('ns:b', { op: 'set', stamp: stampAt(-2), expiresAt: undefined });
    expect(journal.overflowed).toBe(true);
    await fallback.set('ns:b', value('b', stampAt(-2)), undefined);
    const report = await replay();
    expect(report).toMatchObject({ clearedNamespace: true, acceptedStale: false, complete: true });
    expect(await target.get('ns:stale')).toBeUndefined();
    expect(read(await target.get('elsewhere'))).toBe('kept');
    expect(journal.covers('ns:stale')).toBe(false);
  });

  it("after an overflow with 'accept-stale', serves again without clearing", async () => {
    const { target, journal, replay } = setup({ limit: 1, onOverflow: 'accept-stale' });
    await target.set('ns:stale', value('old', stampAt(-5000)), undefined);
    journal.record('ns:a', { op: 'set', stamp: stampAt(-3), expiresAt: undefined });
    journal.record('ns:b', { op: 'set', stamp: stampAt(-2), expiresAt: undefined });
    const report = await replay();
    expect(report).toMatchObject({ clearedNamespace: false, acceptedStale: true, complete: true });
    expect(read(await target.get('ns:stale'))).toBe('old');
  });

  it('applies a cleared prefix before the keys journaled after it', async () => {
    const { target, fallback, journal, replay } = setup();
    await target.set('ns:gone', value('old', stampAt(-5000)), undefined);
    journal.recordClear('ns:', stampAt(-100));
    const stamp = stampAt(-50);
    await fallback.set('ns:after', value('after', stamp), undefined);
    journal.record('ns:after', { op: 'set', stamp, expiresAt: undefined });
    expect(await replay()).toMatchObject({ keys: 1, complete: true });
    expect(await target.get('ns:gone')).toBeUndefined();
    expect(read(await target.get('ns:after'))).toBe('after');
  });

  it('writes a tombstone for a value too large for the target', async () => {
    const target = memoryBackend({ name: 'small', maxBytes: 4096, maxValueBytes: 64 });
    const { fallback, journal, replay } = setup({ target });
    const stamp = stampAt(-10);
    await fallback.set('ns:big', value('x'.repeat(200), stamp), undefined);
    journal.record('ns:big', { op: 'set', stamp, expiresAt: undefined });
    expect(await replay()).toMatchObject({ keys: 1, deleted: 1 });
    expect(stampOf((await target.get('ns:big'))!)).toBe(stamp);
  });

  it('treats a tombstone in the fallback as a deleted key', async () => {
    const { target, fallback, journal, replay } = setup();
    const stamp = stampAt(-10);
    await fallback.set('ns:k', encodeTombstone(stamp), 30_000);
    await target.set('ns:k', value('old', stampAt(-5000)), undefined);
    journal.record('ns:k', { op: 'set', stamp, expiresAt: undefined });
    expect(await replay()).toMatchObject({ deleted: 1 });
    expect(read(await target.get('ns:k'))).toBeUndefined();
  });
});
