import { describe, expect, it } from 'vitest';
import { SerializationError } from '../src/errors.js';
import {
  decodeEnvelope,
  decodeValue,
  encodeEnvelope,
  encodeValue,
  readValue,
  UNREADABLE,
} from '../src/values/envelope.js';
import { jsonSerializer, type Serializer } from '../src/values/serializer.js';

const NOW = 1_732_000_000_123;

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
      expect(decoded?.writtenAt).toBe(NOW);
      expect(Buffer.from(decoded?.payload ?? []).equals(Buffer.from(payload))).toBe(true);
    }
  });

  it('keeps timestamps exact up to the largest safe integer', () => {
    for (const writtenAt of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      expect(decodeEnvelope(encodeEnvelope(new Uint8Array(0), writtenAt, 'bytes'))?.writtenAt).toBe(
        writtenAt,
      );
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
    expect(decoded?.writtenAt).toBe(NOW);
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

  it('rejects a write time that is not a non-negative safe integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => encodeEnvelope(new Uint8Array(0), bad, 'bytes')).toThrow(RangeError);
    }
  });
});

describe('encodeValue / decodeValue', () => {
  it('round-trips serialized values with the default serializer', () => {
    const value = { user: 'ü', list: [1, 2, 3] };
    const decoded = decodeValue(encodeValue(value, jsonSerializer, NOW), jsonSerializer);
    expect(decoded).toEqual({ value, writtenAt: NOW });
  });

  it('stores JSON values as a text envelope readable as a string or as its UTF-8 bytes', () => {
    const value = { text: 'naïve 🌍', n: 1 };
    const stored = encodeValue(value, jsonSerializer, NOW);
    expect(typeof stored).toBe('string');
    expect(stored).toBe(`\u0002${String(NOW).padStart(13, '0')}${JSON.stringify(value)}`);
    expect(decodeValue(stored, jsonSerializer)).toEqual({ value, writtenAt: NOW });
    const asBytes = Buffer.from(stored as string, 'utf8');
    expect(decodeValue(asBytes, jsonSerializer)).toEqual({ value, writtenAt: NOW });
    expect(decodeValue(new Uint8Array(asBytes), jsonSerializer)).toEqual({ value, writtenAt: NOW });
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
