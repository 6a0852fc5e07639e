import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../src/backends/memory.js';
import {
  InvalidArgumentError,
  InvalidInputError,
  InvalidTtlError,
  LoaderTimeoutError,
  StoreClosedError,
} from '../src/errors.js';
import { silentLogger } from '../src/logger.js';
import { ResilientStore } from '../src/store.js';

/** A loader that never settles: an origin that hung. */
const hung = (): Promise<string> => new Promise<string>(() => {});

/** A loader that settles when the test says so. */
function gated<T>(value: T): { loader: () => Promise<T>; release: () => void; calls: number } {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const handle = {
    calls: 0,
    release: () => open(),
    loader: async () => {
      handle.calls++;
      await gate;
      return value;
    },
  };
  return handle;
}

type Outcome =
  | { state: 'fulfilled'; value: unknown }
  | { state: 'rejected'; error: unknown }
  | {
      state: 'pending';
    };

/**
 * How `promise` stands once it settled or `ms` passed: tells settling from hanging.
 * The bound is generous on purpose; it is no latency check.
 */
async function outcome(promise: Promise<unknown>, ms = 5_000): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending' }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Outcome => ({ state: 'fulfilled', value }),
        (error: unknown): Outcome => ({ state: 'rejected', error }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function newStore(): ResilientStore {
  return new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
}

describe('getOrSet with a hung loader', () => {
  it('rejects every waiting caller with LoaderTimeoutError after its timeout and releases the key', async () => {
    const store = newStore();
    const waiting = [1, 2, 3].map(() => store.getOrSet('k', hung, { timeout: 50 }));
    for (const result of await Promise.all(waiting.map((p) => outcome(p)))) {
      expect(result.state).toBe('rejected');
      expect((result as { error: unknown }).error).toBeInstanceOf(LoaderTimeoutError);
    }
    // The next call starts its own load instead of joining the hung one.
    expect(await outcome(store.getOrSet('k', () => 'fresh'))).toEqual({
      state: 'fulfilled',
      value: 'fresh',
    });
    expect(await store.get('k')).toBe('fresh');
    await store.close();
  });

  it('has a default timeout, and the option takes a duration string', async () => {
    const store = newStore();
    const waiting = store.getOrSet('k', hung, { timeout: '40ms' });
    const result = await outcome(waiting);
    expect((result as { error: unknown }).error).toBeInstanceOf(LoaderTimeoutError);
    await expect(store.getOrSet('k', () => 1, { timeout: 'soon' })).rejects.toBeInstanceOf(
      InvalidTtlError,
    );
    await store.close();
  });

  it('does not hide a set() behind the pending flight: a later getOrSet sees the set value', async () => {
    const store = newStore();
    const first = store.getOrSet('k', hung);
    await store.set('k', 'set-value');
    expect(await outcome(store.getOrSet('k', () => 'loaded'))).toEqual({
      state: 'fulfilled',
      value: 'set-value',
    });
    await store.close();
    // close() settled the caller still waiting on the hung loader.
    const closed = await outcome(first);
    expect((closed as { error: unknown }).error).toBeInstanceOf(StoreClosedError);
  });

  it('does not write a loader result over a set() that came while it loaded', async () => {
    const store = newStore();
    const slow = gated('loaded-before-set');
    const waiting = store.getOrSet('k', slow.loader);
    await store.set('k', 'newer');
    slow.release();
    // The caller who asked before the set gets the loader's value...
    expect(await waiting).toBe('loaded-before-set');
    // ...but the cache keeps the newer write.
    expect(await store.get('k')).toBe('newer');
    await store.close();
  });

  it('starts a new load after a delete() of the key', async () => {
    const store = newStore();
    void store.getOrSet('k', hung).catch(() => {});
    await store.delete('k');
    expect(await outcome(store.getOrSet('k', () => 'after-delete'))).toEqual({
      state: 'fulfilled',
      value: 'after-delete',
    });
    await store.close();
  });

  it('close() rejects every waiting caller with StoreClosedError', async () => {
    const store = newStore();
    const waiting = [
      store.getOrSet('a', hung),
      store.getOrSet('a', hung),
      store.getOrSet('b', hung),
    ];
    await store.close();
    for (const result of await Promise.all(waiting.map((p) => outcome(p)))) {
      expect(result.state).toBe('rejected');
      expect((result as { error: unknown }).error).toBeInstanceOf(StoreClosedError);
    }
    await expect(store.getOrSet('a', () => 1)).rejects.toBeInstanceOf(StoreClosedError);
  });
});

describe('getOrSet with a loader answering undefined', () => {
  it('caches nothing and gives every caller undefined; the next call loads again', async () => {
    const store = newStore();
    const slow = gated(undefined);
    const waiting = [store.getOrSet('k', slow.loader), store.getOrSet('k', slow.loader)];
    slow.release();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    expect(slow.calls).toBe(1);
    expect(await store.has('k')).toBe(false);
    expect(await store.getOrSet('k', () => 'now')).toBe('now');
    await store.close();
  });
});

describe('getOrSet arguments', () => {
  it('refuses a loader that is not a function with InvalidArgumentError', async () => {
    const store = newStore();
    const error = await store.getOrSet('k', 42 as unknown as () => number).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidArgumentError).code).toBe('ERR_RS_INVALID_ARGUMENT');
    await store.close();
  });
});

describe('getOrSet answers the same shape on a hit and a miss', () => {
  it('returns what a later hit returns: the value after its round trip through the serializer', async () => {
    const store = newStore();
    const value = { at: new Date(0), n: Number.NaN, tags: new Set(['a']) };
    const miss = await store.getOrSet('k', () => value);
    const hit = await store.getOrSet('k', () => value);
    expect(miss).toEqual(hit);
    expect(miss).toEqual({ at: '1970-01-01T00:00:00.000Z', n: null, tags: {} });
    await store.close();
  });

  it("keeps the loader's Date, Map and NaN on both with serializer 'v8'", async () => {
    const store = new ResilientStore({
      backends: [memoryBackend()],
      logger: silentLogger,
      serializer: 'v8',
    });
    const value = { at: new Date(0), n: Number.NaN, tags: new Map([['a', 1n]]) };
    const miss = await store.getOrSet('k', () => value);
    const hit = await store.getOrSet('k', () => value);
    expect(miss).toEqual(value);
    expect(hit).toEqual(value);
    await store.close();
  });
});
