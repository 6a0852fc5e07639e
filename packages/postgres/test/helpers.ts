import type { AvailabilitySignal } from '@resilient-store/core';
import pg from 'pg';

/** The shared PostgreSQL for plain tests (trust auth); fault tests start their own with startPostgres(). */
export const SHARED_POSTGRES_URL =
  process.env.RS_TEST_SHARED_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A table name no other test run uses, so runs against the shared server never meet. */
export function uniqueTable(label: string): string {
  return `rs_test_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Resolves once `signal` reports available; rejects after `ms` saying so. The bound
 * tells "came up" from "never came up", it is not a latency check.
 */
export function untilAvailable(signal: AvailabilitySignal, ms = 10_000): Promise<void> {
  return untilState(signal, true, ms);
}

export function untilUnavailable(signal: AvailabilitySignal, ms = 10_000): Promise<void> {
  return untilState(signal, false, ms);
}

function untilState(signal: AvailabilitySignal, wanted: boolean, ms: number): Promise<void> {
  if (signal.isAvailable() === wanted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`backend not ${wanted ? 'available' : 'unavailable'} within ${ms} ms`));
    }, ms);
    const unsubscribe = signal.subscribe((available) => {
      if (available !== wanted) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** Runs `work` with a plain pg client of its own on `url`, closed afterwards. */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops a test table (and its index) on the shared server. */
export function dropTable(url: string, table: string, schema = 'public'): Promise<unknown> {
  return withClient(url, (client) => client.query(`DROP TABLE IF EXISTS "${schema}"."${table}"`));
}

/** Polls `condition` every `everyMs` until it holds; false if it never did within `ms`. */
export async function pollUntil(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  everyMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
