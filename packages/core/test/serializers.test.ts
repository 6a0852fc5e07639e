import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../src/backends/memory.js';
import { createStore } from '../src/create-store.js';
import { ConfigError, SerializationError } from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { ResilientStore } from '../src/store.js';

/** Every kind of value JSON changes or loses, in one object. */
function awkward() {
  return {
    map: new Map([['a', 1]]),
    set: new Set([1, 2]),
    date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
    regexp: /ab+c/gi,
    error: new TypeError('boom'),
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    negInf: Number.NEGATIVE_INFINITY,
    negZero: -0,
    big: 12345678901234567890n,
    nested: { undef: undefined, list: [1, undefined, 3] },
  };
}

describe("the default 'json' serializer", () => {
  it('changes values exactly as docs/configuration.md says', async () => {
    const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
    const { big: _big, ...value } = awkward();
    await store.set('k', value);
    expect(await store.get('k')).toEqual({
      map: {},
      set: {},
      date: '2024-01-02T03:04:05.006Z',
      regexp: {},
      error: {},
      nan: null,
      inf: null,
      negInf: null,
      negZero: 0,
      nested: { list: [1, null, 3] },
    });
    // BigInt has no JSON form: the write is refused, nothing is stored.
    await expect(store.set('b', { big: 1n })).rejects.toBeInstanceOf(SerializationError);
    expect(await store.has('b')).toBe(false);
    await store.close();
  });
});

describe("serializer: 'v8'", () => {
  it('keeps Map, Set, Date, RegExp, Error, NaN, Infinity, -0, BigInt and undefined inside', async () => {
    const store = new ResilientStore({
      backends: [memoryBackend()],
      logger: silentLogger,
      serializer: 'v8',
    });
    const value = awkward();
    await store.set('k', value);
    const read = (await store.get('k')) as ReturnType<typeof awkward>;
    expect(read.map).toEqual(value.map);
    expect(read.set).toEqual(value.set);
    expect(read.date).toBeInstanceOf(Date);
    expect(read.date.getTime()).toBe(value.date.getTime());
    expect(read.regexp).toBeInstanceOf(RegExp);
    expect(String(read.regexp)).toBe('/ab+c/gi');
    expect(read.error).toBeInstanceOf(TypeError);
    expect(read.error.message).toBe('boom');
    expect(read.nan).toBeNaN();
    expect(read.inf).toBe(Number.POSITIVE_INFINITY);
    expect(read.negInf).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(read.negZero, -0)).toBe(true);
    expect(read.big).toBe(12345678901234567890n);
    expect(read.nested).toEqual({ undef: undefined, list: [1, undefined, 3] });
    expect(Object.hasOwn(read.nested, 'undef')).toBe(true);
    await store.close();
  });

  it('refuses what it cannot store with SerializationError', async () => {
    const store = new ResilientStore({
      backends: [memoryBackend()],
      logger: silentLogger,
      serializer: 'v8',
    });
    await expect(store.set('k', { f: () => 1 })).rejects.toBeInstanceOf(SerializationError);
    await expect(store.set('k', undefined)).rejects.toBeInstanceOf(SerializationError);
    await store.close();
  });

  it("reads entries written as JSON; a 'json' store reads its entries as a miss", async () => {
    const backend = memoryBackend();
    const json = new ResilientStore({ backends: [backend], logger: silentLogger });
    const v8 = new ResilientStore({ backends: [backend], logger: silentLogger, serializer: 'v8' });
    await json.set('from-json', { a: 1 });
    await v8.set('from-v8', new Map([['a', 1]]));
    expect(await v8.get('from-json')).toEqual({ a: 1 });
    expect(await json.get('from-v8')).toBeUndefined();
    await json.close();
    await v8.close();
  });

  it('is selectable by name in createStore', async () => {
    const store = await createStore({
      serializer: 'v8',
      backends: [{ type: 'memory' }],
      memoryFallback: false,
      logger: silentLogger,
    });
    await store.set('k', new Map([[1, new Set(['x'])]]));
    expect(await store.get('k')).toEqual(new Map([[1, new Set(['x'])]]));
    await store.close();
  });

  it('an unknown name is a ConfigError naming the known ones', async () => {
    await expect(
      createStore({
        serializer: 'yaml' as unknown as 'json',
        backends: [{ type: 'memory' }],
        logger: silentLogger,
      }),
    ).rejects.toThrow(ConfigError);
    expect(
      () =>
        new ResilientStore({
          backends: [memoryBackend()],
          serializer: 'yaml' as unknown as 'json',
        }),
    ).toThrow(/serializer: unknown serializer "yaml" \(known: json, v8/);
  });
});
