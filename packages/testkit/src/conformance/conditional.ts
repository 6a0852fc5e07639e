import {
  type Backend,
  type ConditionalEntry,
  type ConditionalWrites,
  encodeTombstone,
  encodeValue,
  InvalidTtlError,
  isTombstone,
  jsonSerializer,
  type StoredValue,
  stampAtWall,
  stampOf,
  ValueTooLargeError,
} from '@resilient-store/core';
import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, isMiss, pollUntil, sameBytes, uniquePrefix } from './fixtures.js';

/** A stamp as the store's clock makes them: wall ms × 1000 + counter. */
const BASE = stampAtWall(1_732_000_000_000) + 7;

/** A JSON value in the store's text envelope carrying `stamp`. */
function textValue(text: string, stamp: number): StoredValue {
  return encodeValue(text, jsonSerializer, stamp);
}

/** Raw bytes in the store's binary envelope carrying `stamp`. */
function binaryValue(text: string, stamp: number): StoredValue {
  return encodeValue(Buffer.from(text), jsonSerializer, stamp);
}

/** Version-1 envelopes (write time in ms), as values written before stamps existed. */
function textV1(text: string, wallMs: number): string {
  return `\u0002${String(wallMs).padStart(13, '0')}${JSON.stringify(text)}`;
}
function binaryV1(text: string, wallMs: number): Uint8Array {
  const out = Buffer.from(binaryValue(text, wallMs) as Uint8Array);
  out[0] = 0xa1;
  return out;
}

function entry(key: string, value: StoredValue, ttlMs?: number): ConditionalEntry {
  const stamp = stampOf(value);
  if (stamp === undefined) throw new Error('test value has no stamp');
  return { key, value, ttlMs, stamp };
}

function conditionalOf(backend: Backend): ConditionalWrites {
  const conditional = backend.conditional;
  if (conditional === undefined) throw new Error(`backend "${backend.name}" has no conditional`);
  return conditional;
}

/**
 * The optional conditional writes recovery replays with (`Backend.conditional`):
 * write only over an absent, expired or older value, atomically per key;
 * tombstones are ordinary values that hold off older writes until they expire.
 * Registered for a backend that declares `conditionalWrites: true`; any other
 * must not offer the capability without running these tests.
 */
export function conditionalTests({ backend, options }: ConformanceContext): void {
  if (!options.conditionalWrites) {
    it('offers no conditional writes (the suite option says so)', () => {
      expect(backend().conditional).toBeUndefined();
    });
    return;
  }

  it('offers conditional writes', () => {
    expect(typeof backend().conditional?.setIfOlder).toBe('function');
  });

  it('writes over an absent key and over an older value, never over an equal or newer one', async () => {
    const p = uniquePrefix();
    const keys = {
      absent: `${p}absent`,
      older: `${p}older`,
      equal: `${p}equal`,
      newer: `${p}newer`,
    };
    await backend().set(keys.older, textValue('held', BASE), undefined);
    await backend().set(keys.equal, textValue('held', BASE + 1), undefined);
    await backend().set(keys.newer, textValue('held', BASE + 2), undefined);
    const offered = (key: string) => entry(key, textValue('replayed', BASE + 1));
    const written = await conditionalOf(backend()).setIfOlder([
      offered(keys.absent),
      offered(keys.older),
      offered(keys.equal),
      offered(keys.newer),
    ]);
    expect(written).toEqual([true, true, false, false]);
    expect(sameBytes(await backend().get(keys.absent), textValue('replayed', BASE + 1))).toBe(true);
    expect(sameBytes(await backend().get(keys.older), textValue('replayed', BASE + 1))).toBe(true);
    expect(sameBytes(await backend().get(keys.equal), textValue('held', BASE + 1))).toBe(true);
    expect(sameBytes(await backend().get(keys.newer), textValue('held', BASE + 2))).toBe(true);
    await backend().deleteMany(Object.values(keys));
  });

  it('reads the stamp of every envelope format, both versions, and counts other bytes as older', async () => {
    const p = uniquePrefix();
    const wall = Math.floor(BASE / 1000);
    // Each held value against an offer one tick older (refused) and one newer (written).
    const held: Array<{ name: string; value: StoredValue }> = [
      { name: 'text v2', value: textValue('held', BASE) },
      { name: 'binary v2', value: binaryValue('held', BASE) },
      { name: 'tombstone', value: encodeTombstone(BASE) },
      { name: 'text v1', value: textV1('held', wall) },
      { name: 'binary v1', value: binaryV1('held', wall) },
    ];
    for (const { name, value } of held) {
      const key = `${p}${name}`;
      const heldStamp = stampOf(value)!;
      await backend().set(key, value, 60_000);
      const [refused] = await conditionalOf(backend()).setIfOlder([
        entry(key, binaryValue('older', heldStamp - 1)),
      ]);
      expect(refused, name).toBe(false);
      expect(sameBytes(await backend().get(key), value), name).toBe(true);
      const [accepted] = await conditionalOf(backend()).setIfOlder([
        entry(key, textValue('newer', heldStamp + 1)),
      ]);
      expect(accepted, name).toBe(true);
      expect(sameBytes(await backend().get(key), textValue('newer', heldStamp + 1)), name).toBe(
        true,
      );
    }
    const foreign = `${p}foreign`;
    await backend().set(foreign, bytesOf('not written by the store'), undefined);
    expect(await conditionalOf(backend()).setIfOlder([entry(foreign, textValue('x', 0))])).toEqual([
      true,
    ]);
    await backend().clear(p);
  });

  it('answers in order and lets a repeated key see the earlier entry of the batch', async () => {
    const p = uniquePrefix();
    const key = `${p}repeated`;
    const written = await conditionalOf(backend()).setIfOlder([
      entry(key, textValue('first', BASE + 5)),
      entry(key, textValue('older', BASE + 3)),
      entry(key, textValue('newest', BASE + 9)),
      entry(`${p}other`, textValue('other', BASE)),
    ]);
    expect(written).toEqual([true, false, true, true]);
    expect(sameBytes(await backend().get(key), textValue('newest', BASE + 9))).toBe(true);
    await backend().clear(p);
  });

  it('keeps the offered TTL when it writes and the held TTL when it does not', async () => {
    const p = uniquePrefix();
    const ttlMs = Math.max(1000, 2 * options.ttlResolutionMs);
    const written = `${p}written`;
    const kept = `${p}kept`;
    await backend().set(written, textValue('held', BASE), undefined);
    await backend().set(kept, textValue('held', BASE + 10), undefined);
    await conditionalOf(backend()).setIfOlder([
      entry(written, textValue('replayed', BASE + 1), ttlMs),
      entry(kept, textValue('replayed', BASE + 1), ttlMs),
    ]);
    const expired = await pollUntil(
      async () => isMiss(await backend().get(written)),
      ttlMs + options.ttlResolutionMs + 5000,
      50,
    );
    expect(expired).toBe(true);
    expect(sameBytes(await backend().get(kept), textValue('held', BASE + 10))).toBe(true);
    await backend().clear(p);
  });

  it('a tombstone holds off an older write until it expires, and reads back as a tombstone', async () => {
    const p = uniquePrefix();
    const key = `${p}deleted`;
    const ttlMs = Math.max(1000, 2 * options.ttlResolutionMs);
    await backend().set(key, textValue('held', BASE), undefined);
    expect(
      await conditionalOf(backend()).setIfOlder([entry(key, encodeTombstone(BASE + 2), ttlMs)]),
    ).toEqual([true]);
    const tombstone = await backend().get(key);
    expect(tombstone !== undefined && tombstone !== null && isTombstone(tombstone)).toBe(true);
    // Another process's older replay cannot bring the key back.
    expect(
      await conditionalOf(backend()).setIfOlder([entry(key, textValue('resurrected', BASE + 1))]),
    ).toEqual([false]);
    const gone = await pollUntil(
      async () => isMiss(await backend().get(key)),
      ttlMs + options.ttlResolutionMs + 5000,
      50,
    );
    expect(gone).toBe(true);
    // A plain write replaces a tombstone at once.
    await conditionalOf(backend()).setIfOlder([entry(key, encodeTombstone(BASE + 4), 60_000)]);
    await backend().set(key, textValue('fresh', BASE + 5), undefined);
    expect(sameBytes(await backend().get(key), textValue('fresh', BASE + 5))).toBe(true);
    await backend().clear(p);
  });

  it('is atomic per key: concurrent batches leave the newest stamp', async () => {
    const p = uniquePrefix();
    const keys = Array.from({ length: 20 }, (_, i) => `${p}k${i}`);
    const stamps = Array.from({ length: 30 }, (_, i) => BASE + ((i * 7919) % 30));
    await Promise.all(
      stamps.map((stamp) =>
        conditionalOf(backend()).setIfOlder(
          keys.map((key) => entry(key, textValue(`v${stamp}`, stamp))),
        ),
      ),
    );
    const newest = Math.max(...stamps);
    for (const value of await backend().getMany(keys)) {
      expect(value === undefined ? undefined : stampOf(value)).toBe(newest);
    }
    await backend().clear(p);
  });

  it('writes a batch of many keys', async () => {
    const p = uniquePrefix();
    const entries = Array.from({ length: options.manyKeys }, (_, i) =>
      entry(`${p}many:${i}`, textValue(String(i), BASE + i), i % 2 === 0 ? undefined : 600_000),
    );
    const written = await conditionalOf(backend()).setIfOlder(entries);
    expect(written.every(Boolean)).toBe(true);
    const read = await backend().getMany(entries.map((e) => e.key));
    read.forEach((value, i) => {
      expect(sameBytes(value, entries[i]!.value)).toBe(true);
    });
    await backend().clear(p);
  });

  it('refuses bad input with a typed error and writes nothing of the batch', async () => {
    const p = uniquePrefix();
    const good = entry(`${p}good`, textValue('good', BASE));
    const cases: Array<{ bad: ConditionalEntry; error: new (...args: never[]) => Error }> = [
      { bad: { ...good, key: `${p}ttl`, ttlMs: -5 }, error: InvalidTtlError },
      {
        bad: {
          ...good,
          key: `${p}large`,
          value: new Uint8Array(backend().capabilities.maxValueBytes + 1),
        },
        error: ValueTooLargeError,
      },
    ];
    for (const { bad, error } of cases) {
      await expect(conditionalOf(backend()).setIfOlder([good, bad])).rejects.toBeInstanceOf(error);
      expect(isMiss(await backend().get(good.key))).toBe(true);
    }
  });
}
