import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `check` until it resolves true (then resolves true) or `timeoutMs` passes (then
 * false). `check` gets the remaining time so its own I/O can stay within the deadline, and may
 * throw to stop polling early. The pause between calls is a ref'd timer on purpose: a caller
 * awaiting readiness must keep the process alive.
 */
export async function pollUntil(
  check: (remainingMs: number) => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    if (await check(remaining)) return true;
    if (Date.now() + intervalMs >= deadline) return false;
    await sleep(intervalMs);
  }
}
