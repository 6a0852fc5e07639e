import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryBackend } from '../src/backends/memory.js';
import {
  InvalidArgumentError,
  InvalidInputError,
  InvalidTtlError,
  StoreClosedError,
  ValueTooLargeError,
} from '../src/errors.js';
import type { StoreEvents } from '../src/events.js';
import { silentLogger } from '../src/logger.js';
import { ResilientStore } from '../src/store.js';
import { FakeBackend, recordingLogger } from './fake-backend.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('arguments of the wrong shape', () => {
  const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['getMany("abc")', () => store.getMany('abc' as unknown as string[])],
    ['deleteMany("abc")', () => store.deleteMany('abc' as unknown as string[])],
    ['setMany([null])', () => store.setMany([null as unknown as { key: string; value: 1 }])],
    ['setMany("abc")', () => store.setMany('abc' as unknown as [])],
    ['getOrSet(k, 42)', () => store.getOrSet('k', 42 as unknown as () => number)],
    ['set(k, v, 5)', () => store.set('k', 1, 5 as unknown as { ttl: number })],
  ];
  for (const [call, run] of cases) {
    it(`${call} rejects with InvalidArgumentError, not a TypeError`, async () => {
      const error = await rejectionOf(run());
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidArgumentError).code).toBe('ERR_RS_INVALID_ARGUMENT');
    });
  }
});

describe('a very long TTL string', () => {
  it('is refused with InvalidTtlError without scanning it (100 KB of spaces: no quadratic backtracking)', async () => {
    const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
    // '1', 100,000 spaces, 'x': the shape that made the old pattern backtrack for seconds.
    const ttl = `1${' '.repeat(100_000)}x`;
    const started = performance.now();
    const error = await rejectionOf(store.set('k', 1, { ttl }));
    const elapsedMs = performance.now() - started;
    expect(error).toBeInstanceOf(InvalidTtlError);
    expect((error as Error).message).toContain('characters long');
    // Generous bound: the old parse took over 10 s here; the capped one microseconds.
    expect(elapsedMs).toBeLessThan(1_000);
    await store.close();
  });

  it('still parses padded durations up to the cap', async () => {
    const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
    await store.set('k', 1, { ttl: ' 2 m ' });
    await expect(store.set('k', 1, { ttl: `${' '.repeat(70)}5s` })).rejects.toBeInstanceOf(
      InvalidTtlError,
    );
    await store.close();
  });
});

describe('a value larger than every backend accepts', () => {
  // The memory backend accepts up to 16 MiB; 20 MiB of text is beyond it.
  const huge = 'x'.repeat(20 * 1024 * 1024);

  for (const [shape, value] of [
    ['a string', huge],
    ['an object holding one', { payload: huge, n: 1 }],
    ['an array holding one', [1, huge]],
  ] as const) {
    it(`is refused with ValueTooLargeError before it is serialized (${shape})`, async () => {
      const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
      const stringify = vi.spyOn(JSON, 'stringify');
      const error = await rejectionOf(store.set('k', value));
      expect(error).toBeInstanceOf(ValueTooLargeError);
      expect(stringify).not.toHaveBeenCalled();
      const inBatch = await rejectionOf(store.setMany([{ key: 'k', value }]));
      expect(inBatch).toBeInstanceOf(ValueTooLargeError);
      expect(stringify).not.toHaveBeenCalled();
      await store.close();
    });
  }

  it('is refused before it is copied into an envelope (bytes)', async () => {
    const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
    const error = await rejectionOf(store.set('k', Buffer.alloc(20 * 1024 * 1024)));
    expect(error).toBeInstanceOf(ValueTooLargeError);
    expect((error as Error).message).toContain('before encoding');
    await store.close();
  });
});

describe('calls in flight at close()', () => {
  it('reject with StoreClosedError quietly: no all-failed error, no log line, no error event', async () => {
    const primary = new FakeBackend('primary');
    const fallback = new FakeBackend('fallback');
    primary.mode = 'hang';
    fallback.mode = 'hang';
    const { logger, lines } = recordingLogger();
    const store = new ResilientStore({ backends: [primary, fallback], logger });
    const errors: Array<StoreEvents['error']> = [];
    store.on('error', (e) => errors.push(e));
    const inFlight = [
      store.get('a'),
      store.set('b', 1),
      store.getMany(['a', 'b']),
      store.delete('c'),
    ];
    // Handlers attached before close(), as an application awaiting its calls has them.
    const settled = Promise.allSettled(inFlight);
    await store.close();
    const results = await settled;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StoreClosedError);
    }
    expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(errors).toEqual([]);
  });
});
