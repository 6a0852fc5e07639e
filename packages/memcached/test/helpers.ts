import { type AvailabilitySignal, type StoredValue, storedBytes } from '@resilient-store/core';

export type Outcome<T> =
  | { readonly state: 'fulfilled'; readonly value: T }
  | { readonly state: 'rejected'; readonly error: unknown }
  | { readonly state: 'pending' };

/**
 * How `promise` stands after `ms`: a guard for "does not hang" assertions. The bound is
 * generous on purpose; it tells settling from hanging, it is not a latency check.
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

/** Polls `check` until it holds or `ms` passed; throws naming `what` otherwise. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves with `backend` once all its servers are connected, so a suite starts from a served state. */
export async function connected<T extends { availability: AvailabilitySignal }>(
  backend: T,
): Promise<T> {
  await until('backend available', () => backend.availability.isAvailable());
  return backend;
}

/** Distinct key prefix per test, so tests never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `rs-memcached-test:${label}:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`;
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: StoredValue | null | undefined): string | undefined =>
  value == null ? undefined : storedBytes(value).toString('utf8');
