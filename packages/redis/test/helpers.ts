import { createHook } from 'node:async_hooks';
import { type AvailabilitySignal, type StoredValue, storedBytes } from '@resilient-store/core';

export type Outcome<T> =
  | { readonly state: 'fulfilled'; readonly value: T }
  | { readonly state: 'rejected'; readonly error: unknown }
  | { readonly state: 'pending' };

/**
 * How `promise` stands after `ms`: a guard for "does not hang" assertions. The bound is
 * generous on purpose; it distinguishes settling from hanging, it is not a latency check.
 */
export async function outcomeWithin<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending' }), ms);
  });
  const settled = promise.then(
    (value): Outcome<T> => ({ state: 'fulfilled', value }),
    (error: unknown): Outcome<T> => ({ state: 'rejected', error }),
  );
  try {
    return await Promise.race([settled, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** Rejection reason of `promise` (which must settle within `ms`), for assertions on it. */
export async function rejectionOf(promise: Promise<unknown>, ms = 5_000): Promise<Error> {
  const outcome = await outcomeWithin(promise, ms);
  if (outcome.state !== 'rejected') {
    throw new Error(`expected a rejection within ${ms} ms, got ${outcome.state}`);
  }
  if (!(outcome.error instanceof Error))
    throw new Error(`rejected with a non-Error: ${String(outcome.error)}`);
  return outcome.error;
}

export interface Transition {
  readonly available: boolean;
  readonly cause: Error | undefined;
}

/** Records every transition of an availability signal, and waits for the next ones. */
export class TransitionRecorder {
  readonly transitions: Transition[] = [];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly unsubscribe: () => void;

  constructor(signal: AvailabilitySignal) {
    this.unsubscribe = signal.subscribe((available, cause) => {
      this.transitions.push({ available, cause });
      for (const waiter of [...this.#waiters]) {
        if (this.transitions.length >= waiter.count) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  }

  /** Resolves once `count` transitions in total were recorded; rejects after `ms`. */
  async waitForCount(count: number, ms = 10_000): Promise<Transition[]> {
    if (this.transitions.length < count) {
      const reached = new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
      const outcome = await outcomeWithin(reached, ms);
      if (outcome.state === 'pending') {
        throw new Error(
          `expected ${count} availability transitions within ${ms} ms, saw ${JSON.stringify(this.transitions)}`,
        );
      }
    }
    return this.transitions.slice(0, count);
  }
}

/** Resolves when `signal` reports available (at once if it already does). */
export async function untilAvailable(signal: AvailabilitySignal, ms = 10_000): Promise<void> {
  if (signal.isAvailable()) return;
  let unsubscribe = () => {};
  const ready = new Promise<void>((resolve) => {
    unsubscribe = signal.subscribe((available) => {
      if (available) resolve();
    });
  });
  try {
    const outcome = await outcomeWithin(ready, ms);
    if (outcome.state === 'pending') throw new Error(`backend not available within ${ms} ms`);
  } finally {
    unsubscribe();
  }
}

/** Resolves with `backend` once its first connection is up, so a suite starts from a served state. */
export async function connected<T extends { availability: AvailabilitySignal }>(
  backend: T,
): Promise<T> {
  await untilAvailable(backend.availability);
  return backend;
}

/** Distinct key prefix per test, so tests never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `rs-redis-test:${label}:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`;
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: StoredValue | null | undefined): string | undefined =>
  value == null ? undefined : storedBytes(value).toString('utf8');

const TRACKED_TYPES = new Set([
  'Timeout',
  'TCPWRAP',
  'TLSWRAP',
  'TCPCONNECTWRAP',
  'GETADDRINFOREQWRAP',
]);

/**
 * Records the sockets and timers created from now on; `alive()` lists those not yet
 * destroyed, each with the stack that created it, to find what a close() left behind.
 */
export function trackHandles(): { alive(): string[]; stop(): void } {
  const live = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (TRACKED_TYPES.has(type)) {
        const stack = new Error().stack?.split('\n').slice(2, 12).join('\n') ?? '';
        live.set(asyncId, `${type}\n${stack}`);
      }
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return {
    alive: () => [...live.values()],
    stop: () => hook.disable(),
  };
}
