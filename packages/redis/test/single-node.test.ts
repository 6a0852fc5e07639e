import { InvalidKeyError, InvalidTtlError, ValueTooLargeError } from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeGlob } from '../src/glob.js';
import { REDIS_MAX_KEY_BYTES, type RedisBackend, redisBackend } from '../src/index.js';
import { bytes, text, uniquePrefix, untilAvailable } from './helpers.js';

let server: RedisServer;
let backend: RedisBackend;
/** A plain client to look at the server independently of the backend. */
let probe: Redis;

beforeAll(async () => {
  server = await startRedis();
  backend = redisBackend({ url: server.url });
  probe = new Redis(server.url);
  await untilAvailable(backend.availability);
});

afterAll(async () => {
  await backend?.close();
  probe?.disconnect();
  await server?.stop();
});

describe('redisBackend on a single server', () => {
  it('stores binary values byte for byte', async () => {
    const key = `${uniquePrefix('binary')}k`;
    const value = Uint8Array.from({ length: 256 }, (_, i) => i);
    await backend.set(key, value, undefined);
    expect(await backend.get(key)).toEqual(Buffer.from(value));
    expect(await probe.getBuffer(key)).toEqual(Buffer.from(value));
  });

  it('accepts a Uint8Array view into a larger buffer without sending its neighbours', async () => {
    const key = `${uniquePrefix('view')}k`;
    const whole = bytes('xxhelloyy');
    await backend.set(key, whole.subarray(2, 7), undefined);
    expect(await probe.get(key)).toBe('hello');
  });

  it('sets a TTL with PX and no TTL without one', async () => {
    const prefix = uniquePrefix('ttl');
    await backend.set(`${prefix}with`, bytes('v'), 60_000);
    await backend.set(`${prefix}without`, bytes('v'), undefined);
    const pttl = await probe.pttl(`${prefix}with`);
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(await probe.pttl(`${prefix}without`)).toBe(-1);
  });

  it('expires entries', async () => {
    const key = `${uniquePrefix('expire')}k`;
    await backend.set(key, bytes('v'), 30);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await backend.get(key)).toBeNull();
  });

  it('getMany answers in order, with duplicates and misses', async () => {
    const prefix = uniquePrefix('mget');
    await backend.setMany([
      { key: `${prefix}a`, value: bytes('1'), ttlMs: undefined },
      { key: `${prefix}b`, value: bytes('2'), ttlMs: 60_000 },
    ]);
    const values = await backend.getMany([
      `${prefix}b`,
      `${prefix}missing`,
      `${prefix}a`,
      `${prefix}b`,
    ]);
    expect(values.map(text)).toEqual(['2', undefined, '1', '2']);
    expect(await backend.getMany([])).toEqual([]);
  });

  it('setMany applies each entry its own TTL', async () => {
    const prefix = uniquePrefix('mset');
    await backend.setMany([
      { key: `${prefix}a`, value: bytes('1'), ttlMs: undefined },
      { key: `${prefix}b`, value: bytes('2'), ttlMs: 60_000 },
    ]);
    expect(await probe.pttl(`${prefix}a`)).toBe(-1);
    expect(await probe.pttl(`${prefix}b`)).toBeGreaterThan(50_000);
  });

  it('delete and deleteMany report what existed', async () => {
    const prefix = uniquePrefix('del');
    await backend.setMany(
      ['a', 'b', 'c'].map((k) => ({ key: `${prefix}${k}`, value: bytes(k), ttlMs: undefined })),
    );
    expect(await backend.delete(`${prefix}a`)).toBe(true);
    expect(await backend.delete(`${prefix}a`)).toBe(false);
    expect(await backend.deleteMany([`${prefix}b`, `${prefix}c`, `${prefix}zz`])).toBe(2);
    expect(await backend.deleteMany([])).toBe(0);
    expect(await probe.exists(`${prefix}b`, `${prefix}c`)).toBe(0);
  });

  it('clear treats glob characters in the prefix literally', async () => {
    const base = uniquePrefix('glob');
    const prefix = `${base}a*b?[c]\\d:`;
    // Each of these would match the prefix if it were used as a raw pattern.
    const lookalikes = [
      `${base}aXXXb?[c]\\d:k`,
      `${base}a*bZ[c]\\d:k`,
      `${base}a*b?c\\d:k`,
      `${base}a*b?[c]d:k`,
      `${base}a*b?[c]\\d`,
    ];
    const inside = [`${prefix}1`, `${prefix}2`, prefix];
    for (const key of [...inside, ...lookalikes]) await backend.set(key, bytes('v'), undefined);

    await backend.clear(prefix);

    expect(await probe.exists(...inside)).toBe(0);
    expect(await probe.exists(...lookalikes)).toBe(lookalikes.length);
  });

  it('clear removes more keys than one SCAN batch and keeps the rest of the keyspace', async () => {
    const prefix = uniquePrefix('many');
    const other = uniquePrefix('other');
    const entries = Array.from({ length: 2_500 }, (_, i) => ({
      key: `${prefix}${i}`,
      value: bytes(String(i)),
      ttlMs: undefined,
    }));
    await backend.setMany(entries);
    await backend.set(`${other}keep`, bytes('v'), undefined);

    await backend.clear(prefix);

    const [, left] = await probe.scan('0', 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 10_000);
    expect(left).toEqual([]);
    expect(await probe.exists(`${other}keep`)).toBe(1);
  });

  it('ping answers', async () => {
    await expect(backend.ping()).resolves.toBeUndefined();
  });

  it('refuses bad input with typed errors, before sending anything', async () => {
    await expect(backend.get('')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(backend.get('k'.repeat(REDIS_MAX_KEY_BYTES + 1))).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    // Multi-byte characters count by their UTF-8 size.
    await expect(backend.get('é'.repeat(REDIS_MAX_KEY_BYTES / 2 + 1))).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    await expect(backend.set('k', bytes('v'), 0)).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(backend.set('k', bytes('v'), 1.5)).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(
      backend.setMany([
        { key: 'ok', value: bytes('v'), ttlMs: undefined },
        { key: '', value: bytes('v'), ttlMs: undefined },
      ]),
    ).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await probe.exists('ok')).toBe(0);
  });

  it('refuses values over maxValueBytes', async () => {
    const small = redisBackend({ url: server.url, name: 'small', maxValueBytes: 16 });
    try {
      expect(small.capabilities.maxValueBytes).toBe(16);
      const key = `${uniquePrefix('big')}k`;
      await expect(small.set(key, new Uint8Array(17), undefined)).rejects.toBeInstanceOf(
        ValueTooLargeError,
      );
      await untilAvailable(small.availability);
      await small.set(key, new Uint8Array(16), undefined);
      expect(await probe.strlen(key)).toBe(16);
    } finally {
      await small.close();
    }
  });

  it('describes itself', () => {
    expect(backend.name).toBe('redis');
    expect(backend.capabilities).toEqual({
      shared: true,
      persistent: false,
      maxKeyBytes: REDIS_MAX_KEY_BYTES,
      maxValueBytes: 8 * 1024 * 1024,
    });
    expect(backend.availability.isAvailable()).toBe(true);
  });
});
