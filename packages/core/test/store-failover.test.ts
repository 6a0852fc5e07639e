import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AllBackendsFailedError,
  BackendTimeoutError,
  InvalidKeyError,
  InvalidTtlError,
  SerializationError,
  StoreClosedError,
  ValueTooLargeError,
} from '../src/errors.js';
import type { StoreEvents } from '../src/events.js';
import { ResilientStore } from '../src/store.js';
import { FakeBackend, recordingLogger } from './fake-backend.js';

const breaker = {
  timeout: 100,
  errorThresholdPercentage: 50,
  volumeThreshold: 4,
  resetTimeout: 1_000,
};

function setup(options: { primary?: ConstructorParameters<typeof FakeBackend>[1] } = {}) {
  const primary = new FakeBackend('primary', options.primary);
  const fallback = new FakeBackend('fallback');
  const { logger, lines } = recordingLogger();
  const store = new ResilientStore({
    backends: [primary, fallback],
    breaker,
    operationTimeout: 300,
    logger,
  });
  const events: Array<{ name: keyof StoreEvents; payload: unknown }> = [];
  for (const name of ['failover', 'recovered', 'breaker'] as const) {
    store.on(name, (payload) => events.push({ name, payload }));
  }
  return { primary, fallback, store, events, lines };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('failover', () => {
  it('serves from the first backend while it works', async () => {
    const { primary, fallback, store } = setup();
    await store.set('k', { a: 1 });
    expect(await store.get('k')).toEqual({ a: 1 });
    expect(primary.calls).toBe(2);
    expect(fallback.calls).toBe(0);
    expect(store.health()).toMatchObject({ status: 'ok', active: 'primary' });
    await store.close();
  });

  it('moves an operation to the next backend when the first fails', async () => {
    const { primary, fallback, store } = setup();
    primary.mode = 'fail';
    await store.set('k', 'v');
    expect(fallback.calls).toBe(1);
    expect(await store.get('k')).toBe('v');
    await store.close();
  });

  it('bounds an operation by the backend timeout when the first backend hangs', async () => {
    const { primary, store } = setup();
    await store.set('k', 'v');
    primary.mode = 'hang';
    const started = Date.now();
    const answer = store.get('k');
    await vi.advanceTimersByTimeAsync(breaker.timeout);
    // The fallback holds nothing for k: a miss, delivered after one backend timeout.
    expect(await answer).toBeUndefined();
    expect(Date.now() - started).toBe(breaker.timeout);
    await store.close();
  });

  it('never lets timed-out work resolve into the caller result', async () => {
    const { primary, fallback, store } = setup();
    primary.data.set('k', new Uint8Array([1, 2, 3]));
    await store.set('k', 'fresh');
    primary.mode = 'hang';
    fallback.data.clear();
    await fallback.set('k', primary.data.get('k')!);
    const answer = store.get('k');
    await vi.advanceTimersByTimeAsync(breaker.timeout);
    primary.releaseHung();
    await vi.advanceTimersByTimeAsync(0);
    expect(await answer).toBe('fresh');
    await store.close();
  });

  it('honours the overall operation deadline when every backend hangs', async () => {
    const primary = new FakeBackend('a');
    const second = new FakeBackend('b');
    const third = new FakeBackend('c');
    for (const b of [primary, second, third]) b.mode = 'hang';
    const { logger } = recordingLogger();
    const store = new ResilientStore({
      backends: [primary, second, third],
      breaker: { timeout: 200 },
      operationTimeout: 300,
      logger,
    });
    const started = Date.now();
    let settledAt = 0;
    const answer = store.get('k').then((v) => {
      settledAt = Date.now();
      return v;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await answer).toBeUndefined();
    expect(settledAt - started).toBe(300);
    expect(third.calls).toBe(0);
    await store.close();
  });

  it('skips a backend that reports a lost connection without waiting for a timeout', async () => {
    const { primary, fallback, store, events } = setup({ primary: { signal: true } });
    await store.set('k', 1);
    primary.setConnected(false, new Error('ECONNREFUSED'));
    primary.mode = 'hang';
    const callsBefore = primary.calls;
    // No timers advanced: the answer must not depend on a timeout.
    await expect(store.set('k', 2)).resolves.toBeUndefined();
    expect(await store.get('k')).toBe(2);
    expect(primary.calls).toBe(callsBefore);
    expect(fallback.calls).toBe(2);
    expect(events.filter((e) => e.name === 'failover')).toEqual([
      {
        name: 'failover',
        payload: { from: 'primary', to: 'fallback', reason: 'connection lost: ECONNREFUSED' },
      },
    ]);
    expect(store.health()).toMatchObject({ status: 'degraded', active: 'fallback' });
    await store.close();
  });
});

describe('a backend that can abort its calls', () => {
  function abortableSetup() {
    return setup({ primary: { abortable: true } });
  }

  it('gives up on a hung call through its abort at the backend timeout and serves from the next', async () => {
    const { primary, fallback, store } = abortableSetup();
    await store.set('k', 'v');
    primary.mode = 'hang';
    const errors: unknown[] = [];
    store.on('error', ({ error }) => errors.push(error));
    const started = Date.now();
    const answer = store.set('k', 'w');
    await vi.advanceTimersByTimeAsync(breaker.timeout);
    await expect(answer).resolves.toBeUndefined();
    expect(Date.now() - started).toBe(breaker.timeout);
    expect(primary.aborts).toHaveLength(1);
    expect(primary.aborts[0]).toBeInstanceOf(BackendTimeoutError);
    // The timeout is the cause the store reports, as with a backend it has to wrap.
    expect(errors).toEqual([primary.aborts[0]]);
    expect(fallback.data.has('k')).toBe(true);
    await store.close();
  });

  it("never lets an aborted call's late answer reach the caller", async () => {
    const { primary, store } = abortableSetup();
    await store.set('k', 'fresh');
    primary.mode = 'hang';
    const answer = store.get('k');
    await vi.advanceTimersByTimeAsync(breaker.timeout);
    primary.releaseHung();
    await vi.advanceTimersByTimeAsync(0);
    // The fallback never had k: a miss, not the primary's late 'fresh'.
    expect(await answer).toBeUndefined();
    await store.close();
  });

  it('does not abort a call that answered in time', async () => {
    const { primary, store } = abortableSetup();
    await store.set('k', 1);
    expect(await store.get('k')).toBe(1);
    await vi.advanceTimersByTimeAsync(breaker.timeout * 10);
    expect(primary.aborts).toEqual([]);
    await store.close();
  });

  it('reports a faulty abort as an error event instead of crashing on the deadline timer', async () => {
    const { primary, store } = abortableSetup();
    primary.mode = 'hang';
    primary.abortThrows = true;
    const errors: Error[] = [];
    store.on('error', ({ error }) => errors.push(error));
    const answer = store.get('k');
    await vi.advanceTimersByTimeAsync(breaker.timeout);
    expect(errors.map((e) => e.message)).toEqual(["primary's abort is broken"]);
    // The call settles when the backend finally answers.
    primary.releaseHung();
    await vi.advanceTimersByTimeAsync(0);
    await expect(answer).resolves.toBeUndefined();
    await store.close();
  });
});

describe('breaker', () => {
  it('opens after failures, half-opens after resetTimeout, and closes on one successful probe', async () => {
    const { primary, fallback, store, events, lines } = setup();
    primary.mode = 'fail';
    for (let i = 0; i < 6; i++) await store.set(`k${i}`, i);
    expect(store.health().backends[0]?.state).toBe('open');
    const primaryCalls = primary.calls;
    await store.get('k1');
    expect(primary.calls).toBe(primaryCalls); // open: not even tried
    expect(fallback.calls).toBeGreaterThan(0);

    primary.mode = 'ok';
    await vi.advanceTimersByTimeAsync(breaker.resetTimeout);
    await vi.advanceTimersByTimeAsync(0);
    expect(primary.pings).toBe(1); // exactly one probe
    expect(store.health()).toMatchObject({ status: 'ok', active: 'primary' });
    expect(events.map((e) => e.name)).toEqual([
      'breaker',
      'failover',
      'breaker',
      'breaker',
      'recovered',
    ]);
    expect(events.filter((e) => e.name === 'breaker').map((e) => e.payload)).toEqual([
      { backend: 'primary', state: 'open' },
      { backend: 'primary', state: 'halfOpen' },
      { backend: 'primary', state: 'closed' },
    ]);
    expect(events.at(-1)?.payload).toMatchObject({ backend: 'primary', outageMs: 1_000 });
    // One line per state change: the failover and the recovery.
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    await store.close();
  });

  it('re-opens when the half-open probe fails and admits a single probe per reset period', async () => {
    const { primary, store } = setup();
    primary.mode = 'fail';
    for (let i = 0; i < 6; i++) await store.set(`k${i}`, i);
    primary.mode = 'hang';
    await vi.advanceTimersByTimeAsync(breaker.resetTimeout);
    // Traffic during the probe never reaches the half-open backend.
    const before = primary.calls;
    await Promise.all([store.get('a'), store.get('b'), store.set('c', 1)]);
    expect(primary.calls).toBe(before);
    expect(primary.pings).toBe(1);
    await vi.advanceTimersByTimeAsync(breaker.timeout);
    expect(store.health().backends[0]?.state).toBe('open');
    await vi.advanceTimersByTimeAsync(breaker.resetTimeout);
    expect(primary.pings).toBe(2);
    primary.releaseHung();
    await store.close();
  });

  it('opens on a streak of failures even when the window is full of successes', async () => {
    const primary = new FakeBackend('primary');
    const { logger } = recordingLogger();
    const store = new ResilientStore({
      backends: [primary, new FakeBackend('fallback')],
      // A long window and a high threshold: only the streak rule can open it here.
      breaker: {
        ...breaker,
        rollingCountTimeout: 60_000,
        errorThresholdPercentage: 99,
        consecutiveFailures: 10,
      },
      logger,
    });
    for (let i = 0; i < 1_000; i++) await store.get(`k${i}`);
    primary.mode = 'fail';
    for (let i = 0; i < 9; i++) await store.get('k');
    expect(store.health().backends[0]?.state).toBe('closed');
    await store.get('k');
    expect(store.health().backends[0]?.state).toBe('open');
    await store.close();
  });

  it('forgets a failure streak after a success', async () => {
    const primary = new FakeBackend('primary');
    const store = new ResilientStore({
      backends: [primary, new FakeBackend('fallback')],
      breaker: {
        ...breaker,
        rollingCountTimeout: 60_000,
        errorThresholdPercentage: 99,
        consecutiveFailures: 3,
      },
      logger: recordingLogger().logger,
    });
    for (let i = 0; i < 100; i++) await store.get(`k${i}`);
    for (let round = 0; round < 5; round++) {
      primary.mode = 'fail';
      await store.get('k');
      await store.get('k');
      primary.mode = 'ok';
      await store.get('k');
    }
    expect(store.health().backends[0]?.state).toBe('closed');
    await store.close();
  });

  it('counts a miss as a success', async () => {
    const { primary, store } = setup();
    for (let i = 0; i < 50; i++) expect(await store.get(`absent${i}`)).toBeUndefined();
    expect(primary.calls).toBe(50);
    expect(store.health().backends[0]?.state).toBe('closed');
    await store.close();
  });

  it('does not count caller errors against the backend', async () => {
    const primary = new FakeBackend('primary', { maxValueBytes: 64 });
    const fallback = new FakeBackend('fallback', { maxValueBytes: 1024 });
    const { logger } = recordingLogger();
    const store = new ResilientStore({ backends: [primary, fallback], breaker, logger });
    // Too large for the primary: skipped there, stored in the fallback, no breaker damage.
    for (let i = 0; i < 10; i++) await store.set(`big${i}`, 'x'.repeat(200));
    expect(primary.calls).toBe(0);
    expect(fallback.calls).toBe(10);
    await expect(store.set('huge', 'x'.repeat(5000))).rejects.toBeInstanceOf(ValueTooLargeError);
    for (let i = 0; i < 10; i++) {
      await expect(store.set('', 1)).rejects.toBeInstanceOf(InvalidKeyError);
    }
    expect(store.health().backends.map((b) => b.state)).toEqual(['closed', 'closed']);
    await store.close();
  });
});

describe('when every backend fails', () => {
  function allBroken(onAllFailed?: 'throw' | 'swallow') {
    const a = new FakeBackend('a');
    const b = new FakeBackend('b');
    a.mode = b.mode = 'fail';
    const { logger, lines } = recordingLogger();
    const store = new ResilientStore({
      backends: [a, b],
      breaker: { ...breaker, volumeThreshold: 1000 },
      logger,
      ...(onAllFailed ? { onAllFailed } : {}),
    });
    return { store, lines };
  }

  it('answers reads with a miss and rejects writes with every cause', async () => {
    const { store, lines } = allBroken();
    expect(await store.get('k')).toBeUndefined();
    expect(await store.getMany(['k', 'j'])).toEqual([undefined, undefined]);
    const error = await store.set('k', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllBackendsFailedError);
    expect((error as AllBackendsFailedError).causes.map((c) => c.backend)).toEqual(['a', 'b']);
    expect((error as AllBackendsFailedError).message).toContain('a is broken');
    await expect(store.delete('k')).rejects.toBeInstanceOf(AllBackendsFailedError);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    await store.close();
  });

  it("turns writes into a logged no-op with onAllFailed: 'swallow'", async () => {
    const { store, lines } = allBroken('swallow');
    await expect(store.set('k', 1)).resolves.toBeUndefined();
    await expect(store.set('k', 2)).resolves.toBeUndefined();
    await expect(store.delete('k')).resolves.toBe(false);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    await store.close();
  });
});

describe('input', () => {
  it('rejects bad keys, TTLs and values with typed errors before touching a backend', async () => {
    const { primary, store } = setup();
    await expect(store.set('', 1)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.get(42 as unknown as string)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.set('k', 1, { ttl: -5 })).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(store.set('k', 1, { ttl: 'soon' })).rejects.toBeInstanceOf(InvalidTtlError);
    await expect(store.set('k', 10n)).rejects.toBeInstanceOf(SerializationError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.set('k', cyclic)).rejects.toBeInstanceOf(SerializationError);
    await expect(store.set('k'.repeat(2000), 1)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(primary.calls).toBe(0);
    await store.close();
  });

  it('prefixes every key with the namespace and passes TTLs in ms', async () => {
    const primary = new FakeBackend('p');
    const seen: Array<number | undefined> = [];
    const set = primary.set.bind(primary);
    primary.set = (key: string, value: Uint8Array, ttlMs?: number) => {
      seen.push(ttlMs);
      return set(key, value);
    };
    const store = new ResilientStore({
      backends: [primary],
      namespace: 'app',
      defaultTtl: '1m',
      logger: recordingLogger().logger,
    });
    await store.set('a', 1);
    await store.set('b', 1, { ttl: '5m' });
    await store.set('c', 1, { ttl: 1500 });
    expect([...primary.data.keys()]).toEqual(['app:a', 'app:b', 'app:c']);
    expect(seen).toEqual([60_000, 300_000, 1500]);
    await store.close();
  });

  it('round-trips buffers and does not let a stored __proto__ pollute anything', async () => {
    const { store, primary } = setup();
    await store.set('buf', Buffer.from([0, 1, 255]));
    expect(Buffer.from((await store.get<Buffer>('buf'))!)).toEqual(Buffer.from([0, 1, 255]));
    await store.set('evil', JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    const back = await store.get<Record<string, unknown>>('evil');
    expect(back?.ok).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(primary.data.size).toBe(2);
    await store.close();
  });
});

describe('getOrSet', () => {
  it('shares one loader call between concurrent callers of one key', async () => {
    const { store } = setup();
    let loads = 0;
    const loader = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 50));
      return { n: loads };
    };
    const pending = Array.from({ length: 10 }, () => store.getOrSet('k', loader, { ttl: '1m' }));
    await vi.advanceTimersByTimeAsync(50);
    const answers = await Promise.all(pending);
    expect(loads).toBe(1);
    expect(answers.every((a) => a.n === 1)).toBe(true);
    expect(await store.get('k')).toEqual({ n: 1 });
    await store.close();
  });

  it('passes a loader error to every caller and does not cache it', async () => {
    const { store } = setup();
    let loads = 0;
    const failing = async () => {
      loads++;
      throw new Error('origin down');
    };
    const results = await Promise.allSettled([
      store.getOrSet('k', failing),
      store.getOrSet('k', failing),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    expect(await store.getOrSet('k', () => 'ok')).toBe('ok');
    expect(loads).toBe(1);
    await store.close();
  });
});

describe('close', () => {
  it('closes every backend once, rejects later calls, and leaves no timer', async () => {
    const { primary, fallback, store } = setup();
    primary.mode = 'hang';
    const pending = store.get('k');
    await store.close();
    await store.close();
    expect(primary.closed).toBe(1);
    expect(fallback.closed).toBe(1);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreClosedError);
    expect(vi.getTimerCount()).toBe(0);
    primary.releaseHung();
    await pending.catch(() => {});
  });
});

describe('timeouts', () => {
  it('reports a backend timeout as the cause', async () => {
    const primary = new FakeBackend('only');
    primary.mode = 'hang';
    const store = new ResilientStore({
      backends: [primary],
      breaker: { timeout: 50 },
      logger: recordingLogger().logger,
    });
    const result = store.set('k', 1).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const error = (await result) as AllBackendsFailedError;
    expect(error.causes[0]?.error).toBeInstanceOf(BackendTimeoutError);
    primary.releaseHung();
    await store.close();
  });
});

describe('startup', () => {
  it('reports a backend unreachable at startup once, then recovers when it connects', async () => {
    const primary = new FakeBackend('primary', { signal: true, connected: false });
    const fallback = new FakeBackend('fallback');
    const { logger, lines } = recordingLogger();
    const store = new ResilientStore({ backends: [primary, fallback], breaker, logger });
    const events: string[] = [];
    const reasons: string[] = [];
    store.on('failover', (e) => {
      events.push(`failover ${e.from}->${e.to}`);
      reasons.push(e.reason);
    });
    store.on('recovered', (e) => events.push(`recovered ${e.backend}`));
    primary.mode = 'fail';
    // Connecting is not an outage yet: served by the fallback, but nothing reported.
    await store.set('k', 1);
    expect(fallback.calls).toBe(1);
    expect(events).toEqual([]);
    expect(store.health().backends[0]?.state).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(events).toEqual(['failover primary->fallback']);
    // The reason is what the backend says when asked, not a generic "no answer".
    expect(reasons).toEqual(['unreachable at startup: primary is broken']);
    expect(store.health()).toMatchObject({ status: 'degraded', active: 'fallback' });
    primary.mode = 'ok';
    primary.setConnected(true);
    expect(events).toEqual(['failover primary->fallback', 'recovered primary']);
    expect(store.health()).toMatchObject({ status: 'ok', active: 'primary' });
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    await store.close();
  });

  it('says nothing about a backend that connects within the grace period', async () => {
    const primary = new FakeBackend('primary', { signal: true, connected: false });
    const store = new ResilientStore({
      backends: [primary, new FakeBackend('fallback')],
      logger: recordingLogger().logger,
    });
    const events: string[] = [];
    store.on('failover', (e) => events.push(e.from));
    store.on('recovered', (e) => events.push(e.backend));
    const ready = store.ready(5_000);
    await vi.advanceTimersByTimeAsync(100);
    primary.setConnected(true);
    await vi.advanceTimersByTimeAsync(20);
    await ready;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events).toEqual([]);
    await store.close();
  });

  it('returns a reconnected backend to service only through a half-open probe', async () => {
    const primary = new FakeBackend('primary', { signal: true });
    const { logger } = recordingLogger();
    const store = new ResilientStore({
      backends: [primary, new FakeBackend('fallback')],
      breaker,
      logger,
    });
    const events: string[] = [];
    store.on('failover', () => events.push('failover'));
    store.on('recovered', () => events.push('recovered'));
    // Flapping connection: down and up every 100 ms for 3 s.
    for (let t = 0; t < 3_000; t += 200) {
      primary.setConnected(false, new Error('ECONNRESET'));
      await vi.advanceTimersByTimeAsync(100);
      primary.setConnected(true);
      await vi.advanceTimersByTimeAsync(100);
    }
    // At most one outage per resetTimeout, however often the connection flapped.
    const outages = events.filter((e) => e === 'failover').length;
    expect(outages).toBeGreaterThanOrEqual(1);
    expect(outages).toBeLessThanOrEqual(Math.ceil(3_000 / breaker.resetTimeout) + 1);
    await store.close();
  });
});
