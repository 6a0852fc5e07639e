import { createHash } from 'node:crypto';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import memjs from 'memjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src/index.js';
import { bytes, connected, text, until } from './helpers.js';

/** Each test gets its own server: the registry is per server, and tests evict it. */
let server: MemcachedServer;
let raw: memjs.Client;
const open: MemcachedBackend[] = [];

beforeEach(async () => {
  server = await startMemcached();
  raw = memjs.Client.create(server.url, { logger: { log: () => {} } });
});

afterEach(async () => {
  raw.close();
  await Promise.all(open.splice(0).map((backend) => backend.close()));
  await server.stop();
});

/** A backend as another process would have it: its own connections and generation cache. */
async function processBackend(
  options: { generationCacheMs?: number; maxClearedPrefixes?: number } = {},
) {
  const backend = memcachedBackend({ servers: server.url, ...options });
  open.push(backend);
  return connected(backend);
}

const counterKey = (prefix: string) =>
  `rs:gen:${createHash('sha256').update(prefix, 'utf8').digest('base64url')}`;

describe('clear(prefix) by generations', () => {
  it('another process sees a clear within generationCacheMs; the clearing one at once', async () => {
    const a = await processBackend({ generationCacheMs: 300 });
    const b = await processBackend({ generationCacheMs: 300 });
    await a.setMany([
      { key: 'users:1', value: bytes('u1'), ttlMs: 60_000 },
      { key: 'users', value: bytes('kept'), ttlMs: 60_000 },
    ]);
    expect(text(await b.get('users:1'))).toBe('u1');
    const cleared = Date.now();
    await a.clear('users:');
    expect(await a.get('users:1')).toBeNull();
    await until(
      'cleared for the other process',
      async () => (await b.get('users:1')) === null,
      5_000,
    );
    // Bounded by the window (300 ms) plus scheduling slack.
    expect(Date.now() - cleared).toBeLessThan(300 + 2_000);
    expect(text(await b.get('users'))).toBe('kept');
    // New writes under the prefix are visible to both.
    await b.set('users:1', bytes('again'), 60_000);
    expect(text(await a.get('users:1'))).toBe('again');
  });

  it("clear('') clears every key", async () => {
    const backend = await processBackend();
    await backend.setMany([
      { key: 'x', value: bytes('x'), ttlMs: undefined },
      { key: 'long key with spaces', value: bytes('y'), ttlMs: undefined },
    ]);
    await backend.clear('');
    expect(await backend.getMany(['x', 'long key with spaces'])).toEqual([undefined, undefined]);
  });

  it('an evicted registry never brings entries back: a new epoch hides everything before it', async () => {
    const backend = await processBackend();
    await backend.set('tenant:1', bytes('old'), undefined);
    await backend.clear('tenant:');
    await backend.set('other', bytes('other'), undefined);
    await raw.delete('rs:gens');
    const later = await processBackend();
    // Neither the entry cleared before nor the ones after come back under old tags.
    expect(await later.get('tenant:1')).toBeNull();
    expect(await later.get('other')).toBeNull();
    await later.set('tenant:1', bytes('new'), undefined);
    expect(text(await later.get('tenant:1'))).toBe('new');
  });

  it('an evicted counter never brings entries back: it restarts at a value it never had', async () => {
    const backend = await processBackend();
    await backend.set('p:1', bytes('before clear'), undefined);
    await backend.clear('p:');
    await backend.set('p:1', bytes('after clear'), undefined);
    await raw.delete(counterKey('p:'));
    const later = await processBackend();
    expect(await later.get('p:1')).toBeNull();
  });

  it('past maxClearedPrefixes, clearing one more starts a new epoch: everything on the server goes', async () => {
    const backend = await processBackend({ maxClearedPrefixes: 2 });
    const keys = ['a:1', 'b:1', 'c:1', 'z:1'];
    await backend.setMany(keys.map((key) => ({ key, value: bytes(key), ttlMs: undefined })));
    await backend.clear('a:');
    await backend.clear('b:');
    expect((await backend.getMany(keys)).map(text)).toEqual([undefined, undefined, 'c:1', 'z:1']);
    await backend.clear('c:');
    expect(await backend.getMany(keys)).toEqual([undefined, undefined, undefined, undefined]);
    // The new epoch starts an empty registry: clearing works as before.
    await backend.set('a:2', bytes('a2'), undefined);
    await backend.clear('a:');
    expect(await backend.get('a:2')).toBeNull();
  });
});
