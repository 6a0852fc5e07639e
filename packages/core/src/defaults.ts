import type { BreakerOptions } from './options.js';

/**
 * Defaults for a store nobody tuned. They are chosen so that an untuned store
 * fails over within a fraction of a second and keeps serving, because the
 * defaults are what most services run.
 */
export const DEFAULT_BREAKER: Required<BreakerOptions> = {
  // A cache call on a healthy network answers in about a millisecond; 250 ms is
  // far above a healthy tail yet lets a hung backend cost a caller at most a
  // quarter of a second before the next backend answers.
  timeout: 250,
  // Open when more than half of the recent calls failed...
  errorThresholdPercentage: 50,
  // ...but only once there were at least this many calls in the window, so a
  // single blip on an idle service does not open the breaker.
  volumeThreshold: 5,
  // A busy service fills the window with successes; this many failures in a
  // row open the breaker anyway. With ~100 calls in flight, a hung backend
  // trips it one timeout after the fault began.
  consecutiveFailures: 10,
  // Wait this long before one probe. Long enough that a backend flapping every
  // few hundred ms cannot flap the store with it; short enough that a restarted
  // backend serves again within a few seconds.
  resetTimeout: 2_000,
  // A 1 s window in 10 buckets (opossum's default is 10 s): the percentage
  // reflects the last second, so a backend that turns slow but still answers
  // some calls is judged on its current behaviour within about a second.
  rollingCountTimeout: 1_000,
  rollingCountBuckets: 10,
};

/**
 * Overall budget for one store operation across every backend. It must cover a
 * hung first backend (one breaker timeout) plus the answer of a fallback.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 1_000;

/** How long a backend may take to connect at startup before it is reported down. */
export const DEFAULT_STARTUP_GRACE_MS = 1_000;
