/**
 * Counts what the load sees, per second (for the timeline) and in total (for the
 * summary). Latency is that of the store call as the caller awaits it, except for
 * getOrSet calls that waited for the recommendation loader (their own call of it, or one
 * they were coalesced with): those measure the loader, so they are counted as loads and
 * kept out of the latency figures.
 */

export interface SecondStats {
  readonly calls: number;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly errors: number;
  readonly loads: number;
  readonly lost: number;
  readonly stale: number;
}

export interface Totals {
  calls: number;
  errors: number;
  loads: number;
  /** When each lost or stale read happened (demo seconds), to tell outage from recovery. */
  lostAtS: number[];
  staleAtS: number[];
  worstMs: number;
  worstAtS: number;
  /** The first few caller-visible errors, to print in the summary. */
  firstErrors: string[];
}

const KEPT_ERRORS = 3;

export class Meter {
  private latencies: number[] = [];
  private calls = 0;
  private errors = 0;
  private loads = 0;
  private lost = 0;
  private stale = 0;
  readonly totals: Totals = {
    calls: 0,
    errors: 0,
    loads: 0,
    lostAtS: [],
    staleAtS: [],
    worstMs: 0,
    worstAtS: 0,
    firstErrors: [],
  };
  /** Every latency of the run, for the overall p99 in the summary. */
  private readonly allLatencies: number[] = [];

  constructor(private readonly now: () => number) {}

  call(ms: number, waitedForLoader: boolean): void {
    this.calls++;
    this.totals.calls++;
    if (waitedForLoader) return;
    this.latencies.push(ms);
    this.allLatencies.push(ms);
    if (ms > this.totals.worstMs) {
      this.totals.worstMs = ms;
      this.totals.worstAtS = this.now();
    }
  }

  error(error: unknown): void {
    this.calls++;
    this.totals.calls++;
    this.errors++;
    this.totals.errors++;
    if (this.totals.firstErrors.length < KEPT_ERRORS) {
      this.totals.firstErrors.push(error instanceof Error ? error.message : String(error));
    }
  }

  load(): void {
    this.loads++;
    this.totals.loads++;
  }

  lostState(): void {
    this.lost++;
    this.totals.lostAtS.push(this.now());
  }

  staleState(): void {
    this.stale++;
    this.totals.staleAtS.push(this.now());
  }

  /** The stats since the previous call, and a fresh start for the next second. */
  take(): SecondStats {
    const sorted = this.latencies.sort((a, b) => a - b);
    const stats: SecondStats = {
      calls: this.calls,
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.at(-1),
      errors: this.errors,
      loads: this.loads,
      lost: this.lost,
      stale: this.stale,
    };
    this.latencies = [];
    this.calls = this.errors = this.loads = this.lost = this.stale = 0;
    return stats;
  }

  overallP99(): number | undefined {
    return percentile(
      [...this.allLatencies].sort((a, b) => a - b),
      0.99,
    );
  }
}

/** Nearest-rank percentile of ascending `sorted`; undefined when empty. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
