import type { CallControl } from '@resilient-store/core';
import { expect, it } from 'vitest';
import type { ConformanceContext } from './context.js';
import { bytesOf, sameBytes, uniquePrefix } from './fixtures.js';

type Outcome =
  | { state: 'pending' }
  | { state: 'fulfilled' }
  | { state: 'rejected'; error: unknown };

/** Where `pending` stands once the microtasks and I/O callbacks already due have run. */
async function outcomeAfterOneTurn(pending: Promise<unknown>): Promise<Outcome> {
  let outcome: Outcome = { state: 'pending' };
  pending.then(
    () => {
      outcome = { state: 'fulfilled' };
    },
    (error: unknown) => {
      outcome = { state: 'rejected', error };
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return outcome;
}

/**
 * The optional abort of `get` and `set` (`CallControl`): a backend that offers one
 * settles the call at once when the store gives up on it — without waiting for its
 * server — and then goes on serving, with no late reply taken for another call's.
 */
export function abortTests({ backend }: ConformanceContext): void {
  const calls = {
    get: (key: string, control: CallControl) => backend().get(key, control),
    set: (key: string, control: CallControl) =>
      backend().set(key, bytesOf('aborted'), 60_000, control),
  };

  for (const [name, call] of Object.entries(calls)) {
    it(`an abort offered by ${name} settles the call at once, with the reason it was given`, async () => {
      const key = `${uniquePrefix()}abort-${name}`;
      const control: CallControl = { abort: undefined };
      const pending = call(key, control);
      if (control.abort === undefined) {
        // Offering an abort is optional; without one the store bounds the call itself.
        await pending;
        return;
      }
      const reason = new Error('the store gave up on this call');
      control.abort(reason);
      const outcome = await outcomeAfterOneTurn(pending);
      expect(outcome.state).not.toBe('pending');
      // A call that had already answered keeps its answer; otherwise it rejects with `reason`.
      if (outcome.state === 'rejected') expect(outcome.error).toBe(reason);

      // Still serving, and the aborted call's reply (if it ever comes) is nobody else's.
      const value = bytesOf(`after-${name}`);
      await backend().set(key, value, 60_000);
      expect(sameBytes(await backend().get(key), value)).toBe(true);
    });
  }
}
