import { describe, expect, it } from 'vitest';
import { SerializationError } from '../src/errors.js';
import { jsonSerializer } from '../src/values/serializer.js';

const roundTrip = (value: unknown): unknown =>
  jsonSerializer.deserialize(jsonSerializer.serialize(value));

describe('jsonSerializer', () => {
  it('round-trips JSON values, including unicode', () => {
    const value = { a: 1, b: [true, null, 'x'], s: 'héllo 🌍 \u0000', n: -0.5, nested: { z: {} } };
    expect(roundTrip(value)).toEqual(value);
    for (const scalar of [0, 'text', '', true, false, null, [], 1e300]) {
      expect(roundTrip(scalar)).toEqual(scalar);
    }
  });

  it('encodes to UTF-8 bytes', () => {
    const bytes = jsonSerializer.serialize('é');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).toString('utf8')).toBe('"é"');
    expect(bytes.byteLength).toBe(4);
  });

  it('decodes from a Uint8Array view that is not a Buffer', () => {
    const backing = new Uint8Array(16).fill(0x20);
    backing.set(new TextEncoder().encode('{"k":[1,2]}'), 3);
    expect(jsonSerializer.deserialize(backing.subarray(3, 14))).toEqual({ k: [1, 2] });
  });

  it.each([
    ['a top-level undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a BigInt', 10n],
    ['a nested BigInt', { deep: [{ n: 1n }] }],
    ['a toJSON answering undefined', { toJSON: () => undefined }],
  ])('throws SerializationError for %s', (_label, value) => {
    expect(() => jsonSerializer.serialize(value)).toThrow(SerializationError);
  });

  it('throws SerializationError for a cyclic object, with the cause attached', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const error = (() => {
      try {
        jsonSerializer.serialize(cyclic);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).code).toBe('ERR_RS_SERIALIZATION');
    expect((error as SerializationError).cause).toBeInstanceOf(TypeError);
  });

  it('strips __proto__ so stored data pollutes no prototype', () => {
    const text = '{"a":1,"__proto__":{"polluted":true},"nested":{"__proto__":{"polluted":true}}}';
    const value = jsonSerializer.deserialize(Buffer.from(text)) as Record<string, unknown>;
    expect(value).toEqual({ a: 1, nested: {} });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('strips an escaped __proto__ key too', () => {
    const text = '{"\\u005f_proto__":{"polluted":true},"ok":2}';
    const value = jsonSerializer.deserialize(Buffer.from(text)) as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
    expect(value).toEqual({ ok: 2 });
  });

  it('strips constructor.prototype payloads but keeps a plain "constructor" field', () => {
    const hostile = jsonSerializer.deserialize(
      Buffer.from('{"constructor":{"prototype":{"polluted":true}},"x":1}'),
    );
    expect(hostile).toEqual({ x: 1 });
    expect(roundTrip({ constructor: 'a string is harmless' })).toEqual({
      constructor: 'a string is harmless',
    });
  });

  it('throws SerializationError for bytes that are not JSON', () => {
    expect(() => jsonSerializer.deserialize(Buffer.from('{not json'))).toThrow(SerializationError);
    expect(() => jsonSerializer.deserialize(new Uint8Array(0))).toThrow(SerializationError);
  });
});
