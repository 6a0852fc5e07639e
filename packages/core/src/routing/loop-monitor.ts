import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { EventLoopHealth } from '../events.js';

/** Samples the loop's delay this often (Node's own sampling timer, unref'd). */
const RESOLUTION_MS = 20;
/** A reading covers at least this long; a `health()` call after it starts a new window. */
const WINDOW_MS = 10_000;

const NS_PER_MS = 1e6;

/**
 * How long this process's event loop was blocked lately (`health().eventLoop`).
 * A blocked loop delays every timer and every reply, so an operator looking at a
 * slow or failing-over store needs to see whether the backend or the process was
 * slow. Node's `monitorEventLoopDelay` samples it in native code: nothing runs on
 * the operation path.
 */
export class LoopMonitor {
  private readonly histogram: IntervalHistogram;
  private windowStart = Date.now();

  constructor() {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
  }

  /** The delays since the window began; a window older than `WINDOW_MS` then starts over. */
  read(): EventLoopHealth {
    const now = Date.now();
    const h = this.histogram;
    // The histogram counts the sampling interval itself in each delay; keep only the excess.
    const excess = (ns: number): number =>
      h.count === 0 ? 0 : round(Math.max(0, ns / NS_PER_MS - RESOLUTION_MS));
    const reading: EventLoopHealth = {
      delayP99Ms: excess(h.percentile(99)),
      delayMaxMs: excess(h.max),
      windowMs: now - this.windowStart,
    };
    if (now - this.windowStart >= WINDOW_MS) {
      h.reset();
      this.windowStart = now;
    }
    return reading;
  }

  close(): void {
    this.histogram.disable();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
