import { describe, expect, it } from 'vitest';
import type { StoredValue } from '../src/backend.js';
import { fromConfig, MEMORY_DEFAULTS, memoryBackend } from '../src/backends/memory.js';
import {
  BackendUnavailableError,
  ConfigError,
  InvalidTtlError,
  ValueTooLargeError,
} from '../src/errors.js';
import { storedBytes } from '../src/kit/stored-value.js';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
const text = (value: StoredValue | null | undefined): string | undefined =>
  value == null ? undefined : storedBytes(value).toString();

function configErrorField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).field;
  }
  return undefined;
}

describe('memoryBackend', () => {
  it('declares in-process, non-persistent capabilities with documented defaults', () => {
    const backend = memoryBackend();
    expect(backend.name).toBe('memory');
    expect(backend.capabilities).toEqual({
      shared: false,
      persistent: false,
      maxKeyBytes: MEMORY_DEFAULTS.maxKeyBytes,
      maxValueBytes: 16 * 1024 * 1024,
    });
  });

  it('derives maxValueBytes from maxBytes when not given', () => {
    expect(memoryBackend({ maxBytes: 1000 }).capabilities.maxValueBytes).toBe(250);
    expect(memoryBackend({ maxBytes: 1000, maxValueBytes: 1000 }).capabilities.maxValueBytes).toBe(
      1000,
    );
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const backend = memoryBackend({ maxEntries: 2 });
    await backend.set('a', bytes('A'), undefined);
    await backend.set('b', bytes('B'), undefined);
    await backend.get('a'); // now 'b' is the least recently used
    await backend.set('c', bytes('C'), undefined);
    expect(await backend.getMany(['a', 'b', 'c']).then((all) => all.map(text))).toEqual([
      'A',
      undefined,
      'C',
    ]);
  });

  it('evicts to stay within maxBytes, counting values and keys', async () => {
    // Each entry: 100 value bytes + 2 bytes per key character = 102.
    const backend = memoryBackend({ maxBytes: 250, maxValueBytes: 200 });
    await backend.set('a', new Uint8Array(100), undefined);
    await backend.set('b', new Uint8Array(100), undefined);
    await backend.set('c', new Uint8Array(100), undefined);
    const present = (await backend.getMany(['a', 'b', 'c'])).map((v) => v !== undefined);
    expect(present).toEqual([false, true, true]);
  });

  it('refuses a value over maxValueBytes with ValueTooLargeError and keeps the old value', async () => {
    const backend = memoryBackend({ maxBytes: 1000, maxValueBytes: 10 });
    await backend.set('k', bytes('old'), undefined);
    await expect(backend.set('k', new Uint8Array(11), undefined)).rejects.toThrow(
      ValueTooLargeError,
    );
    expect(text(await backend.get('k'))).toBe('old');
  });

  it('refuses an entry whose key makes it exceed maxBytes', async () => {
    const backend = memoryBackend({ maxBytes: 100, maxValueBytes: 100 });
    await expect(backend.set('key', new Uint8Array(100), undefined)).rejects.toThrow(
      ValueTooLargeError,
    );
    await backend.set('k', new Uint8Array(98), undefined);
    expect((await backend.get('k')) as Uint8Array).toHaveLength(98);
  });

  it('writes nothing from a setMany that holds one bad entry', async () => {
    const backend = memoryBackend({ maxBytes: 1000, maxValueBytes: 10 });
    await expect(
      backend.setMany([
        { key: 'ok', value: bytes('fine'), ttlMs: undefined },
        { key: 'big', value: new Uint8Array(11), ttlMs: undefined },
      ]),
    ).rejects.toThrow(ValueTooLargeError);
    expect(await backend.get('ok')).toBeUndefined();
  });

  it.each([0, -5, 1.5, Number.NaN])('rejects ttlMs %j with InvalidTtlError', async (ttlMs) => {
    const backend = memoryBackend();
    await expect(backend.set('k', bytes('v'), ttlMs)).rejects.toThrow(InvalidTtlError);
  });

  it('hands out a fresh Buffer per read', async () => {
    const backend = memoryBackend();
    await backend.set('k', bytes('v'), undefined);
    const first = await backend.get('k');
    const second = await backend.get('k');
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(first).not.toBe(second);
    if (first instanceof Uint8Array) first[0] = 0;
    expect(text(second)).toBe('v');
  });

  it('keeps a string value as the same UTF-8 text', async () => {
    const backend = memoryBackend({ maxBytes: 1000, maxValueBytes: 20 });
    await backend.set('s', 'héllo ✓', undefined);
    expect(text(await backend.get('s'))).toBe('héllo ✓');
    // The limit counts UTF-8 bytes: 7 three-byte characters are 21 bytes.
    await expect(backend.set('t', '✓✓✓✓✓✓✓', undefined)).rejects.toThrow(ValueTooLargeError);
  });

  it('rejects every operation after close() with BackendUnavailableError', async () => {
    const backend = memoryBackend();
    await backend.set('k', bytes('v'), undefined);
    await backend.close();
    await backend.close();
    for (const call of [
      () => backend.get('k'),
      () => backend.getMany(['k']),
      () => backend.set('k', bytes('v'), undefined),
      () => backend.setMany([]),
      () => backend.delete('k'),
      () => backend.deleteMany(['k']),
      () => backend.clear('k'),
      () => backend.ping(),
    ]) {
      await expect(call()).rejects.toThrow(BackendUnavailableError);
    }
  });

  it.each([
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ maxEntries: 1.5 }, 'maxEntries'],
    [{ maxBytes: -1 }, 'maxBytes'],
    [{ maxValueBytes: 0 }, 'maxValueBytes'],
    [{ maxBytes: 100, maxValueBytes: 101 }, 'maxValueBytes'],
    [{ name: '' }, 'name'],
  ])('rejects options %j with ConfigError on %s', (options, field) => {
    expect(configErrorField(() => memoryBackend(options))).toBe(field);
  });
});

describe('fromConfig', () => {
  it('builds a backend from plain data', async () => {
    const backend = fromConfig({ name: 'local', maxEntries: 5, maxBytes: 4096 });
    expect(backend.name).toBe('local');
    expect(backend.capabilities.maxValueBytes).toBe(1024);
    await backend.set('k', bytes('v'), undefined);
    expect(text(await backend.get('k'))).toBe('v');
  });

  it.each([
    [{ maxEntries: '100' }, 'maxEntries'],
    [{ maxBytes: null }, 'maxBytes'],
    [{ name: 7 }, 'name'],
    [{ maxEntrys: 100 }, 'maxEntrys'],
  ])('rejects %j with ConfigError on %s', (config, field) => {
    expect(configErrorField(() => fromConfig(config))).toBe(field);
  });
});
