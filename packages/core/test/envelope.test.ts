import { describe, expect, it } from 'vitest';
import { SerializationError } from '../src/errors.js';
import {
  decodeEnvelope,
  decodeValue,
  encodeEnvelope,
  encodeTombstone,
  encodeValue,
  isTombstone,
  readValue,
  stampOf,
  UNREADABLE,
} from '../src/values/envelope.js';
import { jsonSerializer, type Serializer } from '../src/values/serializer.js';

/** A stamp: wall ms 1_732_000_000_123, counter 45. */
const NOW = 1_732_000_000_123_045;
const WALL = 1_732_000_000_123;

/** A serializer that is not the default one, to exercise the generic path. */
const upperSerializer: Serializer = {
  serialize: (value) => Buffer.from(String(value).toUpperCase()),
  deserialize: (bytes) => Buffer.from(bytes).toString().toLowerCase(),
};

describe('encodeEnvelope / decodeEnvelope', () => {
  it('round-trips payload, timestamp and kind', () => {
    const payload = Uint8Array.from([0, 1, 2, 255]);
    for (const kind of ['serialized', 'bytes'] as const) {
      const decoded = decodeEnvelope(encodeEnvelope(payload, NOW, kind));
      expect(decoded?.kind).toBe(kind);
      expect(decoded?.stamp).toBe(NOW);
      expect(Buffer.from(decoded?.payload ?? []).equals(Buffer.from(payload))).toBe(true);
    }
  });

  it('keeps timestamps exact up to the largest safe integer', () => {
    for (const stamp of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      expect(decodeEnvelope(encodeEnvelope(new Uint8Array(0), stamp, 'bytes'))?.stamp).toBe(stamp);
    }
  });

  it('copies the payload, so later changes to it do not alter the envelope', () => {
    const payload = Uint8Array.from([1, 2, 3]);
    const envelope = encodeEnvelope(payload, NOW, 'bytes');
    payload[0] = 9;
    expect([...(decodeEnvelope(envelope)?.payload ?? [])]).toEqual([1, 2, 3]);
  });

  it('decodes an envelope that sits inside a larger buffer', () => {
    const envelope = encodeEnvelope(Uint8Array.from([7, 8]), NOW, 'bytes');
    const backing = new Uint8Array(envelope.byteLength + 5);
    backing.set(envelope, 5);
    const decoded = decodeEnvelope(backing.subarray(5));
    expect(decoded?.stamp).toBe(NOW);
    expect([...(decoded?.payload ?? [])]).toEqual([7, 8]);
  });

  it('answers undefined for bytes that are not an envelope', () => {
    const valid = encodeEnvelope(Uint8Array.from([1]), NOW, 'serialized');
    expect(decodeEnvelope(new Uint8Array(0))).toBeUndefined();
    expect(decodeEnvelope(valid.subarray(0, 9))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from('{"plain":"json"}'))).toBeUndefined();
    const badKind = Buffer.from(valid);
    badKind[1] = 7;
    expect(decodeEnvelope(badKind)).toBeUndefined();
    const hugeTime = Buffer.from(valid);
    hugeTime.fill(0xff, 2, 10);
    expect(decodeEnvelope(hugeTime)).toBeUndefined();
  });

  it('rejects a stamp that is not a non-negative safe integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => encodeEnvelope(new Uint8Array(0), bad, 'bytes')).toThrow(RangeError);
    }
  });
});

describe('encodeValue / decodeValue', () => {
  it('round-trips serialized values with the default serializer', () => {
    const value = { user: 'ü', list: [1, 2, 3] };
    const decoded = decodeValue(encodeValue(value, jsonSerializer, NOW), jsonSerializer);
    expect(decoded).toEqual({ value, stamp: NOW, writtenAt: WALL });
  });

  it('stores JSON values as a text envelope readable as a string or as its UTF-8 bytes', () => {
    const value = { text: 'naïve 🌍', n: 1 };
    const stored = encodeValue(value, jsonSerializer, NOW);
    expect(typeof stored).toBe('string');
    expect(stored).toBe(`\u0003${String(NOW).padStart(16, '0')}${JSON.stringify(value)}`);
    expect(decodeValue(stored, jsonSerializer)).toEqual({ value, stamp: NOW, writtenAt: WALL });
    const asBytes = Buffer.from(stored as string, 'utf8');
    expect(decodeValue(asBytes, jsonSerializer)).toEqual({ value, stamp: NOW, writtenAt: WALL });
    expect(decodeValue(new Uint8Array(asBytes), jsonSerializer)).toEqual({
      value,
      stamp: NOW,
      writtenAt: WALL,
    });
  });

  it('treats a malformed text envelope, or plain text, as unreadable', () => {
    expect(decodeValue('\u000212x4567890123{}', jsonSerializer)).toBeUndefined();
    expect(decodeValue('\u00021234', jsonSerializer)).toBeUndefined();
    expect(decodeValue(`\u0002${'0'.repeat(13)}{not json`, jsonSerializer)).toBeUndefined();
    expect(decodeValue('{"plain":"json"}', jsonSerializer)).toBeUndefined();
  });

  it('reads a value only behind a plausible text header', () => {
    const json = '{"a":1}';
    expect(readValue(`\u0002${'0'.repeat(13)}${json}`, jsonSerializer)).toEqual({ a: 1 });
    expect(readValue(`\u0002x${'0'.repeat(12)}${json}`, jsonSerializer)).toBe(UNREADABLE);
    expect(readValue(`\u0002${'0'.repeat(12)}x${json}`, jsonSerializer)).toBe(UNREADABLE);
    expect(readValue(Buffer.from(`\u0002${'0'.repeat(12)}x${json}`), jsonSerializer)).toBe(
      UNREADABLE,
    );
    expect(readValue('\u00021234', jsonSerializer)).toBe(UNREADABLE);
    expect(readValue(`\u0002${'0'.repeat(13)}{not json`, jsonSerializer)).toBe(UNREADABLE);
  });

  it('strips __proto__ from a text envelope read back', () => {
    const stored = `\u0002${'0'.repeat(13)}{"__proto__":{"polluted":true},"ok":1}`;
    const value = decodeValue(stored, jsonSerializer)?.value as Record<string, unknown>;
    expect(value.ok).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
  });

  it('uses a custom serializer both ways', () => {
    const bytes = encodeValue('abc', upperSerializer, NOW) as Uint8Array;
    expect(Buffer.from(decodeEnvelope(bytes)?.payload ?? []).toString()).toBe('ABC');
    expect(decodeValue(bytes, upperSerializer)?.value).toBe('abc');
  });

  it('stores Buffer and Uint8Array values raw and returns them as Buffers', () => {
    const raw = Uint8Array.from([0, 255, 128]);
    const viaUint8 = decodeValue(encodeValue(raw, jsonSerializer, NOW), jsonSerializer);
    expect(Buffer.isBuffer(viaUint8?.value)).toBe(true);
    expect([...(viaUint8?.value as Buffer)]).toEqual([0, 255, 128]);

    const fromBuffer = encodeValue(Buffer.from('hi'), upperSerializer, NOW) as Uint8Array;
    expect(decodeEnvelope(fromBuffer)?.kind).toBe('bytes');
    expect((decodeValue(fromBuffer, upperSerializer)?.value as Buffer).toString()).toBe('hi');
  });

  it('propagates SerializationError for values that cannot be encoded', () => {
    expect(() => encodeValue(undefined, jsonSerializer, NOW)).toThrow(SerializationError);
    expect(() => encodeValue({ n: 1n }, jsonSerializer, NOW)).toThrow(SerializationError);
  });

  it('answers undefined for non-envelopes and undecodable payloads', () => {
    expect(decodeValue(Buffer.from('"just json"'), jsonSerializer)).toBeUndefined();
    const corrupt = encodeEnvelope(Buffer.from('{broken'), NOW, 'serialized');
    expect(decodeValue(corrupt, jsonSerializer)).toBeUndefined();
  });
});

describe('stamps and tombstones', () => {
  it('reads the stamp of every format the store writes', () => {
    expect(stampOf(encodeValue({ a: 1 }, jsonSerializer, NOW))).toBe(NOW);
    expect(stampOf(Buffer.from(encodeValue({ a: 1 }, jsonSerializer, NOW) as string))).toBe(NOW);
    expect(stampOf(encodeValue(Buffer.from('x'), jsonSerializer, NOW))).toBe(NOW);
    expect(stampOf(encodeValue('x', upperSerializer, NOW))).toBe(NOW);
    expect(stampOf(encodeTombstone(NOW))).toBe(NOW);
    expect(stampOf('{"plain":"json"}')).toBeUndefined();
    expect(stampOf(Buffer.from('plain bytes'))).toBeUndefined();
    expect(stampOf(`\u0003${'0'.repeat(15)}x{}`)).toBeUndefined();
  });

  it('reads version 1 values (write time in ms) with the stamp ms × 1000', () => {
    const textV1 = `\u0002${String(WALL).padStart(13, '0')}{"a":1}`;
    expect(decodeValue(textV1, jsonSerializer)).toEqual({
      value: { a: 1 },
      stamp: WALL * 1000,
      writtenAt: WALL,
    });
    expect(stampOf(textV1)).toBe(WALL * 1000);
    const binaryV1 = Buffer.from(encodeEnvelope(Buffer.from('hi'), WALL, 'bytes'));
    binaryV1[0] = 0xa1;
    expect(stampOf(binaryV1)).toBe(WALL * 1000);
    expect((readValue(binaryV1, jsonSerializer) as Buffer).toString()).toBe('hi');
    // A version-1 envelope had no tombstones.
    const oddV1 = Buffer.from(encodeTombstone(WALL));
    oddV1[0] = 0xa1;
    expect(stampOf(oddV1)).toBeUndefined();
  });

  it('orders a newer write after an older one in every format', () => {
    const older = encodeValue('a', jsonSerializer, NOW);
    const newer = encodeValue(Buffer.from('b'), jsonSerializer, NOW + 1);
    expect(stampOf(newer)!).toBeGreaterThan(stampOf(older)!);
  });

  it('reads a tombstone as a miss, never as an unreadable entry', () => {
    const tombstone = encodeTombstone(NOW);
    expect(isTombstone(tombstone)).toBe(true);
    expect(isTombstone(encodeValue(Buffer.from('x'), jsonSerializer, NOW))).toBe(false);
    expect(isTombstone('text')).toBe(false);
    expect(readValue(tombstone, jsonSerializer)).toBeUndefined();
    expect(decodeValue(tombstone, jsonSerializer)).toEqual({
      value: undefined,
      stamp: NOW,
      writtenAt: WALL,
    });
  });
});
