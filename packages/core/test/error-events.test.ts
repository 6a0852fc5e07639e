import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreEvents } from '../src/events.js';
import { ERROR_EVENT_WINDOW_MS, ERROR_EVENTS_PER_WINDOW } from '../src/routing/member.js';
import { ResilientStore } from '../src/store.js';
import { FakeBackend, recordingLogger } from './fake-backend.js';

/** Per-attempt errors are counted; `error` events are bounded per outage. */

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const primary = new FakeBackend('primary', { abortable: true });
  const fallback = new FakeBackend('fallback');
  const store = new ResilientStore({
    backends: [primary, fallback],
    breaker: { timeout: 100, resetTimeout: 1_000, consecutiveFailures: 10 },
    operationTimeout: 300,
    logger: recordingLogger().logger,
  });
  const errors: Array<StoreEvents['error']> = [];
  const failovers: Array<StoreEvents['failover']> = [];
  store.on('error', (event) => errors.push(event));
  store.on('failover', (event) => failovers.push(event));
  return { primary, store, errors, failovers };
}

describe('error events', () => {
  it('emits a bounded number per outage however many attempts fail, and counts them all', async () => {
    const { primary, store, errors, failovers } = setup();
    primary.mode = 'hang';
    // An outage under load: 200 reads in flight when the backend hangs.
    const reads = Array.from({ length: 200 }, (_, i) => store.get(`k${i}`));
    await vi.advanceTimersByTimeAsync(150);
    await Promise.all(reads);
    // More load while it is still down: the breaker is open, nothing more is tried.
    for (let i = 0; i < 50; i++) await store.get(`late${i}`);

    expect(failovers).toHaveLength(1);
    expect(errors.length).toBe(ERROR_EVENTS_PER_WINDOW);
    expect(store.health().backends[0]?.failedAttempts).toBe(200);

    // Recovery, then a second outage: it gets its own (bounded) events.
    primary.mode = 'ok';
    primary.releaseHung();
    await vi.advanceTimersByTimeAsync(1_100);
    expect(store.health().backends[0]?.state).toBe('closed');
    primary.mode = 'hang';
    const again = Array.from({ length: 100 }, (_, i) => store.get(`again${i}`));
    await vi.advanceTimersByTimeAsync(150);
    await Promise.all(again);
    expect(failovers).toHaveLength(2);
    expect(errors.length).toBe(2 * ERROR_EVENTS_PER_WINDOW);
    expect(store.health().backends[0]?.failedAttempts).toBe(300);
    primary.mode = 'ok';
    primary.releaseHung();
    await store.close();
  });

  it('lets a backend that keeps serving through sparse failures report a few per window', async () => {
    const { primary, store, errors } = setup();
    // One call in three fails: well below the breaker's 50%.
    for (let i = 0; i < 20; i++) {
      primary.mode = 'fail';
      await store.get('k');
      primary.mode = 'ok';
      await store.get('k');
      await store.get('k');
    }
    expect(store.health().backends[0]?.state).toBe('closed');
    expect(errors.length).toBe(ERROR_EVENTS_PER_WINDOW);
    await vi.advanceTimersByTimeAsync(ERROR_EVENT_WINDOW_MS);
    primary.mode = 'fail';
    await store.get('k');
    expect(errors.length).toBe(ERROR_EVENTS_PER_WINDOW + 1);
    expect(store.health().backends[0]?.failedAttempts).toBe(21);
    await store.close();
  });
});
