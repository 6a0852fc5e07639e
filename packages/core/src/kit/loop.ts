/**
 * Timeouts that mean "the backend did not answer", not "this process was busy".
 *
 * Node runs due timers before the poll phase that reads sockets. After the event
 * loop was blocked (a GC pause, a large synchronous JSON.parse, a slow serializer),
 * a timeout armed before the block fires first, although the reply it waits for
 * may be sitting in the socket already. So a loop-aware timeout, when it fires,
 * waits one `setImmediate` turn — which comes after that poll phase — and only then
 * acts, and it tells its callback whether the loop was blocked (`stalled`): fired
 * more than `LOOP_STALL_MS` late. A stalled timeout is not evidence against the
 * backend: the store does not count it on the backend's breaker.
 */

/**
 * A timer that fires this much later than asked means the event loop itself was
 * blocked. Far above a timer's ordinary lateness on a loaded machine (a few ms), and
 * well below a backend's timeout (250 ms by default).
 */
export const LOOP_STALL_MS = 100;

/**
 * Calls `onTimeout` once, about `ms` from now, after the I/O already waiting at that
 * moment has been read; `stalled` says the timer fired more than `LOOP_STALL_MS`
 * late. The returned handle cancels it with `clearTimeout` until it fires; once it
 * has fired, the callback still runs (one turn later), so it must check whether
 * what it guards has settled meanwhile. The timer does not keep the process alive.
 */
export function loopAwareTimeout(
  onTimeout: (stalled: boolean) => void,
  ms: number,
): NodeJS.Timeout {
  const due = Date.now() + ms;
  const timer = setTimeout(() => {
    const firedAt = Date.now();
    afterPoll(onTimeout, firedAt - due > LOOP_STALL_MS, firedAt);
  }, ms);
  timer.unref();
  return timer;
}

/** Calls `onTimeout` after the next poll phase; again one later if the loop was blocked before it. */
function afterPoll(onTimeout: (stalled: boolean) => void, stalled: boolean, since: number): void {
  setImmediate(() => {
    const now = Date.now();
    if (now - since > LOOP_STALL_MS) afterPoll(onTimeout, true, now);
    else onTimeout(stalled);
  });
}
