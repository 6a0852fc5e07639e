import { setTimeout as sleep } from 'node:timers/promises';

/** Length of one budget window; short enough that the rate is smooth at test timescales. */
const WINDOW_MS = 10;

/**
 * Caps how many operations start per second, in 10 ms windows. Waiters share one timer
 * per window rather than one each.
 */
export class RateLimiter {
  private readonly perWindow: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;
  private nextWindow: Promise<void> | undefined;

  constructor(perSecond: number) {
    this.perWindow = Math.max(1, Math.round((perSecond * WINDOW_MS) / 1_000));
  }

  /** Resolves when one more operation may start. */
  async take(): Promise<void> {
    for (;;) {
      const now = performance.now();
      if (now - this.windowStart >= WINDOW_MS) {
        this.windowStart = now;
        this.used = 0;
      }
      if (this.used < this.perWindow) {
        this.used++;
        return;
      }
      this.nextWindow ??= sleep(this.windowStart + WINDOW_MS - now).then(() => {
        this.nextWindow = undefined;
      });
      await this.nextWindow;
    }
  }
}
