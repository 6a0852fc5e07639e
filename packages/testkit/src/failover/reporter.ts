import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryCheck } from '../history/index.js';
import type { RywWindow } from './summarize.js';

/** The figures of one scenario run, as printed and as appended to the results file. */
export interface ScenarioSummary {
  readonly scenario: string;
  /** The backend under test and the one the store falls back to. */
  readonly primary: string;
  readonly fallback: string;
  readonly settings: string;
  /** Fault injection → `failover` event, ms; null when no failover happened. */
  readonly failoverMs: number | null;
  /** Fault lifted → `recovered` event (the primary serves again), ms; null when none. */
  readonly backOnPrimaryMs: number | null;
  /** Fault lifted → last operation answered by the fallback, ms (negative: before the lift). */
  readonly lastFallbackServeMs: number | null;
  readonly worstLatencyMs: number;
  readonly p99LatencyMs: number;
  readonly errors: number;
  readonly ops: number;
  readonly servedBy: Record<string, number>;
  readonly failovers: number;
  readonly recoveries: number;
  readonly breakerTransitions: number;
  /** Attempts that failed on a backend and moved on (the store's `error` events). */
  readonly failedAttempts: number;
  /** The most frequent causes of those failed attempts, with counts. */
  readonly failedAttemptCauses: Record<string, number>;
  /** End of the window in which read-your-writes is asserted: first recovery, or the fault. */
  readonly rywCheckedUntil: RywWindow;
  /** Read-your-writes violations inside that window (asserted to be zero). */
  readonly rywChecked: number;
  /** Violations after it, from the missing recovery journal (reported only). */
  readonly rywReported: number;
  /** Worst event-loop delay seen during the run, ms: the noise every latency figure carries. */
  readonly maxLoopDelayMs: number;
  readonly wallMs: number;
  /** When the run recorded a history: its violations per check (reported, asserted by the test). */
  readonly history?: Readonly<Record<HistoryCheck, number>>;
  readonly notes?: string;
}

/** JSON lines, one per scenario run, appended across runs so figures can be compared. */
export const RESULTS_FILE = join(tmpdir(), 'resilient-store-failover-results.jsonl');

let announced = false;

/** Prints a one-line summary and appends it, with a timestamp, to {@link RESULTS_FILE}. */
export function report(summary: ScenarioSummary): void {
  if (!announced) {
    announced = true;
    console.log(`[failover] results appended to ${RESULTS_FILE}`);
  }
  const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
  console.log(
    `[failover] ${summary.scenario} (${summary.settings}): failover ${ms(summary.failoverMs)}, ` +
      `back on ${summary.primary} ${ms(summary.backOnPrimaryMs)}, worst ${ms(summary.worstLatencyMs)} ` +
      `(p99 ${ms(summary.p99LatencyMs)}), errors ${summary.errors}, ops ${summary.ops}, ` +
      `failovers ${summary.failovers}, recovered ${summary.recoveries}, ` +
      `ryw violations after ${summary.rywCheckedUntil} ${summary.rywReported}, loop delay max ${ms(summary.maxLoopDelayMs)}` +
      (summary.history ? `, history violations ${JSON.stringify(summary.history)}` : '') +
      (summary.notes ? ` — ${summary.notes}` : ''),
  );
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ at: new Date().toISOString(), ...summary })}\n`);
}
