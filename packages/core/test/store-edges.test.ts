import { describe, expect, it, vi } from 'vitest';
import { memoryBackend } from '../src/backends/memory.js';
import {
  ConfigError,
  InvalidInputError,
  InvalidKeyError,
  InvalidTtlError,
  SerializationError,
  ValueTooLargeError,
} from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { ResilientStore } from '../src/store.js';
import { jsonSerializer, type Serializer } from '../src/values/serializer.js';
import { FakeBackend } from './fake-backend.js';

describe("the caller's mistakes", () => {
  it('share InvalidInputError as their base class', () => {
    for (const error of [
      new InvalidKeyError('k'),
      new InvalidTtlError('t'),
      new SerializationError('s'),
      new ValueTooLargeError('v'),
    ]) {
      expect(error).toBeInstanceOf(InvalidInputError);
    }
    expect(new ConfigError('port', 'bad')).not.toBeInstanceOf(InvalidInputError);
  });
});

describe('ConfigError.within', () => {
  it('places the field inside a larger configuration, keeping the detail', () => {
    const inner = new ConfigError('maxEntries', 'must be a positive integer, got -1');
    const outer = inner.within('backends[0]');
    expect(outer.field).toBe('backends[0].maxEntries');
    expect(outer.detail).toBe(inner.detail);
    expect(outer.message).toBe('backends[0].maxEntries: must be a positive integer, got -1');
    expect(outer.cause).toBe(inner);
  });
});

describe('batches judged by UTF-8 bytes', () => {
  it('keeps a batch away from a backend when a key with fewer UTF-16 units has too many bytes', async () => {
    const small = new FakeBackend('small', { maxKeyBytes: 250 });
    const store = new ResilientStore({
      backends: [small, memoryBackend()],
      logger: silentLogger,
    });
    // 200 units and 200 bytes, then 160 units and 320 bytes.
    const keys = ['a'.repeat(200), '😀'.repeat(80)];
    await store.setMany(keys.map((key) => ({ key, value: 1 })));
    expect(await store.getMany(keys)).toEqual([1, 1]);
    expect(small.calls).toBe(0);
    await store.close();
  });
});

describe('setMany', () => {
  it('takes a batch larger than a call can spread as arguments', async () => {
    const store = new ResilientStore({
      backends: [memoryBackend({ maxEntries: 200_000 })],
      logger: silentLogger,
    });
    const entries = Array.from({ length: 150_000 }, (_, i) => ({ key: `k${i}`, value: i }));
    await store.setMany(entries);
    expect(await store.get('k149999')).toBe(149_999);
    await store.close();
  });
});

describe('has', () => {
  it('answers without decoding the value', async () => {
    const deserialize = vi.fn(jsonSerializer.deserialize);
    const serializer: Serializer = { serialize: jsonSerializer.serialize, deserialize };
    const store = new ResilientStore({
      backends: [memoryBackend()],
      serializer,
      logger: silentLogger,
    });
    await store.set('present', { large: 'x'.repeat(10_000) });
    expect(await store.has('present')).toBe(true);
    expect(await store.has('absent')).toBe(false);
    expect(deserialize).not.toHaveBeenCalled();
    expect(await store.get('present')).toEqual({ large: 'x'.repeat(10_000) });
    expect(deserialize).toHaveBeenCalledTimes(1);
    await store.close();
  });
});

describe('ready', () => {
  it('resolves when the last backend connects, told by its availability signal', async () => {
    vi.useFakeTimers();
    try {
      const remote = new FakeBackend('remote', { signal: true, connected: false });
      const store = new ResilientStore({
        backends: [remote, memoryBackend()],
        logger: silentLogger,
      });
      let ready = false;
      const waiting = store.ready(60_000).then(() => {
        ready = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(ready).toBe(false);
      remote.setConnected(true);
      // No timer runs: the signal alone wakes the waiter.
      await waiting;
      expect(ready).toBe(true);
      await store.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('resolves after its timeout while a backend stays away, and at once after close()', async () => {
    vi.useFakeTimers();
    try {
      const remote = new FakeBackend('remote', { signal: true, connected: false });
      const store = new ResilientStore({ backends: [remote], logger: silentLogger });
      let ready = false;
      void store.ready(500).then(() => {
        ready = true;
      });
      await vi.advanceTimersByTimeAsync(499);
      expect(ready).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(ready).toBe(true);

      let readyAfterClose = false;
      void store.ready(60_000).then(() => {
        readyAfterClose = true;
      });
      await store.close();
      await vi.advanceTimersByTimeAsync(0);
      expect(readyAfterClose).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
