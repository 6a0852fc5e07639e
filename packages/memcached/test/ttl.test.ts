import { InvalidTtlError } from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend, RELATIVE_EXPIRY_LIMIT_S } from '../src/index.js';
import { expiration } from '../src/ttl.js';
import { bytes, connected, text, uniquePrefix, until } from './helpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let server: MemcachedServer;
let backend: MemcachedBackend;

beforeAll(async () => {
  server = await startMemcached();
  backend = await connected(memcachedBackend({ servers: server.url }));
});

afterAll(async () => {
  await backend?.close();
  await server?.stop();
});

describe('expiration sent to memcached', () => {
  const now = Date.UTC(2026, 0, 1);

  it('is 0 (never) without a TTL, and whole seconds rounded up otherwise', () => {
    expect(expiration(undefined, now)).toBe(0);
    expect(expiration(1, now)).toBe(1);
    expect(expiration(1000, now)).toBe(1);
    expect(expiration(1001, now)).toBe(2);
  });

  it('is relative up to 30 days and an absolute Unix time above', () => {
    expect(expiration(30 * DAY_MS, now)).toBe(RELATIVE_EXPIRY_LIMIT_S);
    expect(expiration(30 * DAY_MS + 1, now)).toBe(now / 1000 + RELATIVE_EXPIRY_LIMIT_S + 1);
    expect(expiration(60 * DAY_MS, now)).toBe(now / 1000 + 60 * 24 * 3600);
  });

  it.each([0, -1, 1.5, Number.NaN, '1000', 2 ** 60])('refuses %s', (ttl) => {
    expect(() => expiration(ttl, now)).toThrow(InvalidTtlError);
  });
});

describe('TTLs against a real memcached', () => {
  it('refuses a TTL of 0 before sending', async () => {
    const key = `${uniquePrefix('ttl0')}k`;
    await expect(backend.set(key, bytes('v'), 0)).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(backend.setMany([{ key, value: bytes('v'), ttlMs: 0 }])).rejects.toBeInstanceOf(
      InvalidTtlError,
    );
    expect(await backend.get(key)).toBeNull();
  });

  it.each([
    ['30 days', 30 * DAY_MS],
    ['31 days', 31 * DAY_MS],
    ['60 days', 60 * DAY_MS],
  ])('keeps an entry with a TTL of %s (no expiry at once)', async (_label, ttlMs) => {
    const key = `${uniquePrefix('long-ttl')}k`;
    await backend.set(key, bytes('kept'), ttlMs);
    await backend.setMany([{ key: `${key}:bulk`, value: bytes('kept'), ttlMs }]);
    // An expiration memcached read as a past date would already be gone.
    expect(text(await backend.get(key))).toBe('kept');
    expect(text(await backend.get(`${key}:bulk`))).toBe('kept');
  });

  it('rounds a sub-second remainder up: 1500 ms lives at least 1.5 s, and then expires', async () => {
    const key = `${uniquePrefix('round')}k`;
    const started = Date.now();
    await backend.set(key, bytes('v'), 1500);
    await until('expired', async () => (await backend.get(key)) === null, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
