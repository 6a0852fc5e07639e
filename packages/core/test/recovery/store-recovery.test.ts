import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AvailabilitySignal, Backend, StoredValue } from '../../src/backend.js';
import { memoryBackend } from '../../src/backends/memory.js';
import { createStore } from '../../src/create-store.js';
import { ConfigError } from '../../src/errors.js';
import type { StoreEvents } from '../../src/events.js';
import { ResilientStore } from '../../src/store.js';
import { isTombstone, readValue, stampOf } from '../../src/values/envelope.js';
import { jsonSerializer } from '../../src/values/serializer.js';
import { FakeBackend, recordingLogger } from '../fake-backend.js';

const breaker = {
  timeout: 100,
  errorThresholdPercentage: 50,
  volumeThreshold: 4,
  resetTimeout: 1_000,
};

/**
 * A memory backend (with its conditional writes) whose connection the test can
 * cut, and whose calls can be made to fail or hang: the primary of these tests.
 */
class SwitchableBackend implements Backend {
  readonly name = 'primary';
  readonly capabilities: Backend['capabilities'];
  readonly conditional: Backend['conditional'];
  mode: 'ok' | 'hang' = 'ok';
  constructor(
    private up = true,
    /** Two of these over one inner backend: two processes, each with its own connection. */
    readonly inner: Backend = memoryBackend({
      name: 'primary',
      maxValueBytes: 1024,
      maxBytes: 1 << 20,
    }),
  ) {
    this.capabilities = inner.capabilities;
    this.conditional = inner.conditional;
  }
  private readonly listeners = new Set<(available: boolean, cause?: Error) => void>();
  readonly availability: AvailabilitySignal = {
    isAvailable: () => this.up,
    subscribe: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  setConnected(up: boolean): void {
    this.up = up;
    for (const listener of this.listeners) listener(up, up ? undefined : new Error('ECONNRESET'));
  }

  private gate<T>(call: () => Promise<T>): Promise<T> {
    if (!this.up) return Promise.reject(new Error('connection lost'));
    return this.mode === 'hang' ? new Promise<T>(() => {}) : call();
  }
  get(key: string) {
    return this.gate(() => this.inner.get(key));
  }
  getMany(keys: readonly string[]) {
    return this.gate(() => this.inner.getMany(keys));
  }
  set(key: string, value: StoredValue, ttlMs: number | undefined) {
    return this.gate(() => this.inner.set(key, value, ttlMs));
  }
  setMany(entries: Parameters<Backend['setMany']>[0]) {
    return this.gate(() => this.inner.setMany(entries));
  }
  delete(key: string) {
    return this.gate(() => this.inner.delete(key));
  }
  deleteMany(keys: readonly string[]) {
    return this.gate(() => this.inner.deleteMany(keys));
  }
  clear(prefix: string) {
    return this.gate(() => this.inner.clear(prefix));
  }
  ping() {
    return this.gate(() => this.inner.ping());
  }
  close() {
    return this.inner.close();
  }
}

const read = (stored: StoredValue | null | undefined) =>
  stored == null ? undefined : readValue(stored, jsonSerializer);

function setup(
  recovery?: ConstructorParameters<typeof ResilientStore>[0]['recovery'],
  connected = true,
) {
  const primary = new SwitchableBackend(connected);
  const fallback = memoryBackend({ name: 'fallback' });
  const { logger, lines } = recordingLogger();
  const store = new ResilientStore({
    backends: [primary, fallback],
    breaker,
    operationTimeout: 300,
    namespace: 'ns',
    logger,
    recovery,
  });
  const events: Array<{ name: keyof StoreEvents; payload: unknown }> = [];
  for (const name of ['failover', 'recovered', 'reconciled', 'journalOverflow'] as const) {
    store.on(name, (payload) => events.push({ name, payload }));
  }
  const named = (name: keyof StoreEvents) =>
    events.filter((e) => e.name === name).map((e) => e.payload);
  /** Cuts the primary's connection, runs `during`, restores it and lets it recover. */
  async function outage(during: () => Promise<void>): Promise<void> {
    primary.setConnected(false);
    await during();
    primary.setConnected(true);
    // resetTimeout, then the half-open probe and the replay.
    await vi.advanceTimersByTimeAsync(breaker.resetTimeout + 50);
    await vi.advanceTimersByTimeAsync(50);
  }
  return { primary, fallback, store, lines, named, outage };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('recovery after an outage', () => {
  it('replays a write made during the outage before the recovered backend serves the key', async () => {
    const { primary, fallback, store, named, lines, outage } = setup();
    await store.set('k', 'v1');
    await outage(async () => {
      await store.set('k', 'v2', { ttl: 60_000 });
      expect(await store.get('k')).toBe('v2');
    });
    expect(named('recovered')).toHaveLength(1);
    expect(named('reconciled')).toEqual([
      { backend: 'primary', keys: 1, deleted: 0, skipped: 0, durationMs: expect.any(Number) },
    ]);
    expect(lines.filter((l) => l.msg.includes('reconciled'))).toHaveLength(1);
    expect(read(await primary.inner.get('ns:k'))).toBe('v2');
    expect(await store.get('k')).toBe('v2');
    // The fallback's copy is replaced by a tombstone, so a later outage cannot serve it.
    const copy = await fallback.get('ns:k');
    expect(copy != null && isTombstone(copy)).toBe(true);
    await store.close();
  });

  it('replays a delete as a tombstone, read as a miss', async () => {
    const { primary, store, named, outage } = setup();
    await store.set('k', 'v1');
    await outage(async () => {
      await store.delete('k');
    });
    expect(named('reconciled')).toMatchObject([{ keys: 1, deleted: 1 }]);
    const held = await primary.inner.get('ns:k');
    expect(held != null && isTombstone(held)).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    await store.close();
  });

  it('deletes on the recovered backend a key the fallback no longer holds', async () => {
    const { primary, fallback, store, outage } = setup();
    await store.set('k', 'v1');
    await outage(async () => {
      await store.set('k', 'v2');
      await fallback.delete('ns:k'); // evicted
    });
    expect(read(await primary.inner.get('ns:k'))).toBeUndefined();
    expect(await store.get('k')).toBeUndefined();
    await store.close();
  });

  it('replays a clear() the backend missed', async () => {
    const { primary, store, outage } = setup();
    await store.set('a', 1);
    await store.set('b', 2);
    await outage(async () => {
      await store.clear();
      await store.set('b', 3);
    });
    expect(await primary.inner.get('ns:a')).toBeUndefined();
    expect(read(await primary.inner.get('ns:b'))).toBe(3);
    expect(await store.get('a')).toBeUndefined();
    await store.close();
  });

  it("overflows: one journalOverflow event and log line, then 'clear' empties the namespace on recovery", async () => {
    const { primary, store, named, lines, outage } = setup({ maxJournalKeys: 2 });
    await store.set('old', 'stale');
    await outage(async () => {
      for (let i = 0; i < 5; i++) await store.set(`k${i}`, i);
    });
    expect(named('journalOverflow')).toEqual([{ backend: 'primary', limit: 2 }]);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('overflowed'))).toHaveLength(1);
    expect(await primary.inner.get('ns:old')).toBeUndefined();
    expect(named('reconciled')).toHaveLength(1);
    await store.close();
  });

  it('journals() reports the keys each backend missed, the overflow, and the drained journal', async () => {
    const { primary, store } = setup({ maxJournalKeys: 3 });
    expect(store.journals()).toEqual([
      { backend: 'primary', keys: 0, overflowed: false },
      { backend: 'fallback', keys: 0, overflowed: false },
    ]);
    primary.setConnected(false);
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('a', 3); // the same key: still one entry
    expect(store.journals()[0]).toEqual({ backend: 'primary', keys: 2, overflowed: false });
    for (let i = 0; i < 3; i++) await store.set(`k${i}`, i);
    expect(store.journals()[0]).toEqual({ backend: 'primary', keys: 0, overflowed: true });
    primary.setConnected(true);
    await vi.advanceTimersByTimeAsync(breaker.resetTimeout + 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(store.journals()[0]).toEqual({ backend: 'primary', keys: 0, overflowed: false });
    await store.close();
  });
});

describe('the fallback between a replay and the removal of its copies', () => {
  /** Holds the fallback's conditional writes (the removal of its copies) until `release()`. */
  function holdRemoval(fallback: Backend) {
    const conditional = fallback.conditional!;
    const original = conditional.setIfOlder.bind(conditional);
    const waiting: Array<() => void> = [];
    vi.spyOn(conditional, 'setIfOlder').mockImplementation(
      (entries) =>
        new Promise((resolve, reject) => {
          waiting.push(() => void original(entries).then(resolve, reject));
        }),
    );
    return {
      pending: () => waiting.length,
      release: async () => {
        for (const go of waiting.splice(0)) go();
        await vi.advanceTimersByTimeAsync(1);
      },
    };
  }

  it('never answers the copy the recovered backend took over, when that backend fails again meanwhile', async () => {
    const { primary, fallback, store, outage } = setup();
    await store.set('k', 'v1');
    await store.set('other', 'o1');
    const removal = holdRemoval(fallback);
    await outage(async () => {
      await store.set('k', 'v2');
      await store.set('other', 'o2');
    });
    expect(removal.pending()).toBe(1);
    // The recovered primary serves the keys and takes a newer write of one...
    expect(await store.get('k')).toBe('v2');
    await store.set('k', 'v3');
    // ...then fails before the fallback's outage copies are gone.
    primary.setConnected(false);
    expect(read(await fallback.get('ns:k'))).toBe('v2');
    expect(await store.get('k')).toBeUndefined();
    expect(await store.getMany(['k', 'other'])).toEqual([undefined, undefined]);
    expect(await store.has('k')).toBe(false);
    // A write the fallback takes now is newer than its old copy, and is served.
    await store.set('k', 'v4');
    expect(await store.get('k')).toBe('v4');
    await removal.release();
    // The removal left the newer write in place.
    expect(await store.get('k')).toBe('v4');
    expect(await store.get('other')).toBeUndefined();
    await store.close();
  });

  it('after an overflow, answers none of the copies older than its resolution, and keeps the newer ones', async () => {
    const { primary, store, outage } = setup({ maxJournalKeys: 2 });
    await outage(async () => {
      for (let i = 0; i < 5; i++) await store.set(`k${i}`, i);
    });
    await store.set('k0', 'new');
    primary.setConnected(false);
    expect(await store.getMany(['k0', 'k1'])).toEqual([undefined, undefined]);
    await store.set('k1', 'newer');
    expect(await store.get('k1')).toBe('newer');
    // The primary's next recovery replays that write; the fallback keeps serving it meanwhile.
    expect(await store.get('k1')).toBe('newer');
    await store.close();
  });

  it('serves the fallback as before once the copies are removed', async () => {
    const { primary, store, outage } = setup();
    await outage(async () => {
      await store.set('k', 'v1');
    });
    primary.setConnected(false);
    await store.set('k', 'v2');
    expect(await store.get('k')).toBe('v2');
    await store.close();
  });
});

describe('a backend still connecting at startup', () => {
  it('gets the writes the fallback took before it connected, without a recorded outage', async () => {
    const { primary, store, named } = setup(undefined, false);
    await store.set('early', 'before connecting');
    primary.setConnected(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(named('recovered')).toHaveLength(0);
    expect(named('reconciled')).toMatchObject([{ backend: 'primary', keys: 1 }]);
    expect(read(await primary.inner.get('ns:early'))).toBe('before connecting');
    await store.close();
  });
});

describe('per-key routing while the backend stays healthy', () => {
  it('after one timed-out write, reads of that key never see the older value, and the write is replayed', async () => {
    const { primary, store, named } = setup();
    await store.set('k', 'v1');
    primary.mode = 'hang';
    const writing = store.set('k', 'v2');
    await vi.advanceTimersByTimeAsync(breaker.timeout + 10);
    await writing;
    primary.mode = 'ok';
    expect(store.health().status).toBe('ok');
    expect(await store.get('k')).toBe('v2');
    expect(await store.get('other')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(named('reconciled')).toMatchObject([{ backend: 'primary', keys: 1 }]);
    expect(read(await primary.inner.get('ns:k'))).toBe('v2');
    expect(await store.get('k')).toBe('v2');
    await store.close();
  });

  it('a write the backend refused (too large for it) is read from the fallback, not the older copy', async () => {
    const { primary, store } = setup();
    await store.set('k', 'small');
    const large = 'x'.repeat(2_000);
    await store.set('k', large);
    expect(store.health().status).toBe('ok');
    expect(await store.get('k')).toBe(large);
    await vi.advanceTimersByTimeAsync(1_000);
    // The primary cannot take it: it holds a tombstone at the write's stamp, never 'small'.
    expect(read(await primary.inner.get('ns:k'))).toBeUndefined();
    expect(await store.get('k')).not.toBe('small');
    await store.close();
  });

  it('journals nothing while every write lands: no replay, the fallback untouched', async () => {
    const { store, named, fallback } = setup();
    await store.set('k', 1);
    await store.delete('gone');
    expect(await store.get('k')).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(named('reconciled')).toHaveLength(0);
    expect(await fallback.getMany(['ns:k', 'ns:gone'])).toEqual([undefined, undefined]);
    await store.close();
  });
});

describe('stamps', () => {
  it('orders writes after values read from a process whose clock runs ahead', async () => {
    const { primary, store } = setup();
    const ahead = Date.now() + 3_600_000;
    await primary.inner.set(
      'ns:k',
      `\u0003${String(ahead * 1000).padStart(16, '0')}"theirs"`,
      undefined,
    );
    expect(await store.get('k')).toBe('theirs');
    await store.set('k', 'mine');
    expect(stampOf((await primary.inner.get('ns:k'))!)).toBeGreaterThan(ahead * 1000);
    await store.close();
  });
});

describe('recovery options', () => {
  it('are checked, naming the field', () => {
    const backends = [new FakeBackend('a')];
    expect(() => new ResilientStore({ backends, recovery: { maxJournalKeys: 0 } })).toThrow(
      ConfigError,
    );
    expect(
      () =>
        new ResilientStore({
          backends,
          recovery: { onOverflow: 'drop' as unknown as 'clear' },
        }),
    ).toThrow(/recovery\.onOverflow/);
    expect(
      () => new ResilientStore({ backends, recovery: { extra: 1 } as unknown as undefined }),
    ).toThrow(/recovery\.extra/);
  });

  it('are accepted by createStore', async () => {
    const store = await createStore({
      backends: [],
      recovery: { maxJournalKeys: 10, onOverflow: 'accept-stale' },
      logger: recordingLogger().logger,
    });
    await store.close();
    await expect(createStore({ backends: [], recovery: { maxJournalKeys: -1 } })).rejects.toThrow(
      /recovery\.maxJournalKeys/,
    );
  });

  it('with the test-only switch off, journal nothing (the stale read comes back)', async () => {
    const { store, named, outage } = setup({ journal: false });
    await store.set('k', 'v1');
    await outage(async () => {
      await store.set('k', 'v2');
    });
    expect(named('reconciled')).toHaveLength(0);
    expect(await store.get('k')).toBe('v1');
    await store.close();
  });
});

/** `inner` as a fallback shared between processes, with or without its conditional writes. */
function asShared(inner: Backend, conditional: boolean): Backend {
  return {
    name: inner.name,
    capabilities: { ...inner.capabilities, shared: true },
    ...(conditional ? { conditional: inner.conditional } : {}),
    get: (key) => inner.get(key),
    getMany: (keys) => inner.getMany(keys),
    set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
    setMany: (entries) => inner.setMany(entries),
    delete: (key) => inner.delete(key),
    deleteMany: (keys) => inner.deleteMany(keys),
    clear: (prefix) => inner.clear(prefix),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

describe('copies on a shared fallback after a replay', () => {
  /** Two stores (two processes) sharing one primary, each through its own connection, and one fallback. */
  function twoProcesses(conditional: boolean) {
    const primaryInner = memoryBackend({ name: 'primary' });
    const fallbackInner = memoryBackend({ name: 'fallback' });
    const fallback = asShared(fallbackInner, conditional);
    const processes = [0, 1].map(() => {
      const primary = new SwitchableBackend(true, primaryInner);
      const store = new ResilientStore({
        backends: [primary, fallback],
        breaker,
        operationTimeout: 300,
        namespace: 'ns',
        logger: recordingLogger().logger,
      });
      return { primary, store };
    });
    const [a, b] = processes as [(typeof processes)[0], (typeof processes)[0]];
    const recover = async (p: typeof a) => {
      p.primary.setConnected(true);
      await vi.advanceTimersByTimeAsync(breaker.resetTimeout + 50);
      await vi.advanceTimersByTimeAsync(50);
    };
    return { a, b, fallbackInner, recover };
  }

  it("keeps another process's newer write there until that process replays it", async () => {
    const { a, b, fallbackInner, recover } = twoProcesses(true);
    a.primary.setConnected(false);
    b.primary.setConnected(false);
    await a.store.set('k', 'a');
    await vi.advanceTimersByTimeAsync(5);
    await b.store.set('k', 'b');
    await recover(a);
    // A replayed a tombstone at its own stamp; B's newer write stays on the fallback.
    expect(read(await fallbackInner.get('ns:k'))).toBe('b');
    expect(await b.store.get('k')).toBe('b');
    await recover(b);
    expect(await a.store.get('k')).toBe('b');
    expect(await b.store.get('k')).toBe('b');
    // B's replay replaced its own copy there: a later outage cannot serve it.
    expect(isTombstone((await fallbackInner.get('ns:k'))!)).toBe(true);
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it('without conditional writes, leaves the copies there', async () => {
    const { a, fallbackInner, recover } = twoProcesses(false);
    a.primary.setConnected(false);
    await a.store.set('k', 'a');
    await recover(a);
    expect(await a.store.get('k')).toBe('a');
    expect(read(await fallbackInner.get('ns:k'))).toBe('a');
    await a.store.close();
  });
});

describe('a live delete', () => {
  it('on a shared backend with conditional writes leaves a tombstone that refuses an older replay', async () => {
    const primary = memoryBackend({ name: 'primary' });
    const shared = asShared(primary, true);
    const store = new ResilientStore({
      backends: [shared],
      namespace: 'ns',
      logger: recordingLogger().logger,
    });
    await store.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    const before = stampOf((await primary.get('ns:a'))!)!;
    expect(await store.delete('a')).toBe(true);
    expect(await store.deleteMany(['b', 'b', 'c'])).toBe(1);
    expect(await store.delete('a')).toBe(false);
    for (const key of ['ns:a', 'ns:b']) {
      const held = (await primary.get(key))!;
      expect(isTombstone(held)).toBe(true);
      // An older write replayed by another process is refused.
      expect(
        await primary.conditional!.setIfOlder([
          { key, value: held, ttlMs: undefined, stamp: before },
        ]),
      ).toEqual([false]);
    }
    expect(await store.get('a')).toBeUndefined();
    expect(await store.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    expect(await store.has('b')).toBe(false);
    expect(await store.getOrSet('a', () => 'loaded')).toBe('loaded');
    await store.close();
  });

  it('on a private backend is a plain delete', async () => {
    const primary = memoryBackend({ name: 'primary' });
    const store = new ResilientStore({
      backends: [primary],
      namespace: 'ns',
      logger: recordingLogger().logger,
    });
    await store.set('a', 1);
    expect(await store.delete('a')).toBe(true);
    expect(await primary.get('ns:a')).toBeUndefined();
    await store.close();
  });
});
