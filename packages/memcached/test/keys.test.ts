import { createHash } from 'node:crypto';
import { InvalidKeyError } from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import memjs from 'memjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MEMCACHED_KEY_LIMIT_BYTES,
  type MemcachedBackend,
  memcachedBackend,
} from '../src/index.js';
import { storedKey } from '../src/key-mapping.js';
import { bytes, connected, text, uniquePrefix } from './helpers.js';

let server: MemcachedServer;
let backend: MemcachedBackend;
let raw: memjs.Client;

beforeAll(async () => {
  server = await startMemcached();
  backend = await connected(memcachedBackend({ servers: server.url }));
  raw = memjs.Client.create(server.url, { logger: { log: () => {} } });
});

afterAll(async () => {
  raw?.close();
  await backend?.close();
  await server?.stop();
});

const digest = (tag: string, key: string) =>
  `#${createHash('sha256').update(`${tag}\n${key}`, 'utf8').digest('base64url')}`;

describe('key mapping', () => {
  it('keeps short printable keys readable behind their tag', () => {
    expect(storedKey('17', 'users:42')).toBe('17:users:42');
  });

  it('maps long, spaced, control-character and non-ASCII keys to a 44-byte SHA-256 digest', () => {
    const tag = '1733234567890123';
    for (const key of [
      'with space',
      'tab\there',
      'nul\u0000',
      'ünï',
      '键',
      'x'.repeat(300),
      'del\u007f',
    ]) {
      const mapped = storedKey(tag, key);
      expect(mapped).toBe(digest(tag, key));
      expect(mapped).toHaveLength(44);
      expect(mapped).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    }
  });

  it('switches to the digest exactly when tag, colon and key pass 250 bytes', () => {
    const tag = '12345';
    const fits = 'k'.repeat(MEMCACHED_KEY_LIMIT_BYTES - tag.length - 1);
    expect(storedKey(tag, fits)).toBe(`${tag}:${fits}`);
    expect(storedKey(tag, `${fits}k`)).toBe(digest(tag, `${fits}k`));
  });

  it('stores a long key where any process finds it: # + SHA-256 of "<epoch>\\n<key>"', async () => {
    const key = `${uniquePrefix('mapping')}${'long '.repeat(80)}`;
    await backend.set(key, bytes('found'), 60_000);
    const registry = await raw.get('rs:gens');
    const epoch = registry.value?.toString('utf8').split('\n')[0] as string;
    expect(epoch).toMatch(/^\d+$/);
    expect((await raw.get(digest(epoch, key))).value?.toString('utf8')).toBe('found');
  });
});

describe('keys memcached refuses as they are round-trip through the backend', () => {
  const awkward = {
    'over 250 bytes': 'a'.repeat(251),
    '10 KiB': 'b'.repeat(10 * 1024),
    spaces: 'user name with spaces',
    'control characters': 'ctl\u0000\u0001\t\r\n\u001b\u007f',
    unicode: 'ключ 键 🔑 ünïcödé',
    'unicode past 250 bytes': '键'.repeat(100),
  };

  for (const [label, suffix] of Object.entries(awkward)) {
    it(label, async () => {
      const key = `${uniquePrefix('awkward')}${suffix}`;
      await backend.set(key, bytes(label), 60_000);
      expect(text(await backend.get(key))).toBe(label);
      expect(text((await backend.getMany([key]))[0])).toBe(label);
      expect(await backend.delete(key)).toBe(true);
      expect(await backend.get(key)).toBeNull();
    });
  }

  it('at the 64 KiB cap', async () => {
    const prefix = uniquePrefix('cap');
    const key = prefix + 'c'.repeat(64 * 1024 - prefix.length);
    await backend.set(key, bytes('capped'), 60_000);
    expect(text(await backend.get(key))).toBe('capped');
  });

  it('keeps keys that differ only past byte 250 apart', async () => {
    const base = `${uniquePrefix('apart')}${'x'.repeat(300)}`;
    await backend.setMany([
      { key: `${base}1`, value: bytes('one'), ttlMs: 60_000 },
      { key: `${base}2`, value: bytes('two'), ttlMs: 60_000 },
    ]);
    expect((await backend.getMany([`${base}1`, `${base}2`])).map(text)).toEqual(['one', 'two']);
  });

  it('refuses a key over the 64 KiB cap, an empty key and a lone surrogate, sending nothing', async () => {
    await expect(
      backend.set('d'.repeat(64 * 1024 + 1), bytes('v'), undefined),
    ).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(backend.get('')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(backend.get('bad\ud800')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(backend.getMany(['ok', ''])).rejects.toBeInstanceOf(InvalidKeyError);
  });
});
