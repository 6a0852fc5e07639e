/**
 * Counts what the HTTP load sees, per second (for the timeline) and in total (for the
 * summary): answers, their latency as the client waited for it, answers that were not
 * 2xx (or never came), which cache backend kind served (`cache_status`), and turns that
 * show a lost or stale conversation state.
 */
import { percentile as nonEmptyPercentile } from '../conversation-service/src/traffic.js';
import type { Answered } from './http-load.js';

export interface SecondStats {
  readonly requests: number;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly non2xx: number;
  readonly primary: number;
  readonly fallback: number;
  readonly lost: number;
  readonly stale: number;
}

export interface Totals {
  requests: number;
  /** Answers that were not 2xx, and requests that got no answer at all. */
  non2xx: number;
  primary: number;
  fallback: number;
  /** When each lost or stale turn was seen (demo seconds), to tell outage from recovery. */
  lostAtS: number[];
  staleAtS: number[];
  worstMs: number;
  worstAtS: number;
  /** The first few problems, to print in the summary. */
  firstProblems: string[];
}

const KEPT_PROBLEMS = 3;

export class Meter {
  private second = fresh();
  private latencies: number[] = [];
  readonly totals: Totals = {
    requests: 0,
    non2xx: 0,
    primary: 0,
    fallback: 0,
    lostAtS: [],
    staleAtS: [],
    worstMs: 0,
    worstAtS: 0,
    firstProblems: [],
  };
  /** Every latency of the run, for the overall p99 in the summary. */
  private readonly allLatencies: number[] = [];

  constructor(private readonly now: () => number) {}

  record(answer: Answered): void {
    const t = this.totals;
    this.second.requests++;
    t.requests++;
    this.latencies.push(answer.latencyMs);
    this.allLatencies.push(answer.latencyMs);
    if (answer.latencyMs > t.worstMs) {
      t.worstMs = answer.latencyMs;
      t.worstAtS = this.now();
    }
    if (answer.problem !== undefined) {
      this.second.non2xx++;
      t.non2xx++;
      if (t.firstProblems.length < KEPT_PROBLEMS) t.firstProblems.push(answer.problem);
    }
    if (answer.cacheStatus === 'primary') {
      this.second.primary++;
      t.primary++;
    } else if (answer.cacheStatus === 'fallback_active') {
      this.second.fallback++;
      t.fallback++;
    }
    if (answer.check === 'lost') {
      this.second.lost++;
      t.lostAtS.push(this.now());
    } else if (answer.check === 'stale') {
      this.second.stale++;
      t.staleAtS.push(this.now());
    }
  }

  /** The stats since the previous call, and a fresh start for the next second. */
  take(): SecondStats {
    const sorted = this.latencies.sort((a, b) => a - b);
    const stats: SecondStats = {
      ...this.second,
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.at(-1),
    };
    this.second = fresh();
    this.latencies = [];
    return stats;
  }

  overallP99(): number | undefined {
    return percentile(
      [...this.allLatencies].sort((a, b) => a - b),
      0.99,
    );
  }
}

function fresh() {
  return { requests: 0, non2xx: 0, primary: 0, fallback: 0, lost: 0, stale: 0 };
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  return sorted.length === 0 ? undefined : nonEmptyPercentile(sorted, p);
}
