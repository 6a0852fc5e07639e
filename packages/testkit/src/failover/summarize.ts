import type { HistoryCheck } from '../history/index.js';
import type { EventRecorder } from './event-recorder.js';
import type { OpRecord } from './load-generator.js';
import type { ScenarioSummary } from './reporter.js';
import type { Violation } from './ryw-checker.js';
import type { ServedByRecorder } from './served-by.js';

/** End of the window in which read-your-writes is asserted (see `ScenarioOptions`). */
export type RywWindow = 'recovery' | 'fault';

export interface SummaryInput {
  readonly scenario: string;
  readonly primary: string;
  readonly fallback: string;
  readonly settings: string;
  readonly rywCheckedUntil: RywWindow;
  readonly startedAt: number;
  readonly faultAt: number | undefined;
  readonly liftedAt: number | undefined;
  readonly records: readonly OpRecord[];
  readonly events: EventRecorder;
  readonly served: ServedByRecorder;
  readonly violations: readonly Violation[];
  readonly maxLoopDelayMs: number;
  readonly historyViolations: Readonly<Record<HistoryCheck, number>> | undefined;
  readonly notes: string | undefined;
}

export interface Summarized {
  readonly summary: ScenarioSummary;
  /** Violations inside the asserted window, and after it. */
  readonly checked: readonly Violation[];
  readonly reported: readonly Violation[];
  /** The last `recovered` event after the fault: the return that counts when a link flaps. */
  readonly lastRecoveredAt: number | undefined;
}

/** Turns a finished run's records into the figures that are reported and asserted. */
export function summarize(input: SummaryInput): Summarized {
  const { records, events, served, faultAt, liftedAt } = input;
  const since = faultAt ?? input.startedAt;
  const recoveries = events.of('recovered', since);
  const checkedUntil =
    input.rywCheckedUntil === 'fault'
      ? (faultAt ?? Number.POSITIVE_INFINITY)
      : (recoveries[0]?.at ?? Number.POSITIVE_INFINITY);
  const checked = input.violations.filter((v) => v.readStartedAt < checkedUntil);
  const reported = input.violations.filter((v) => v.readStartedAt >= checkedUntil);
  const latencies = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  const failover = events.of('failover', since)[0];
  const recovered = recoveries.at(-1);
  const lastFallback = served.lastServedAt(input.fallback);

  const summary: ScenarioSummary = {
    scenario: input.scenario,
    primary: input.primary,
    fallback: input.fallback,
    settings: input.settings,
    failoverMs: failover && faultAt !== undefined ? round(failover.at - faultAt) : null,
    // 0 when the primary was already serving again as the fault was lifted.
    backOnPrimaryMs:
      recovered && liftedAt !== undefined ? round(Math.max(0, recovered.at - liftedAt)) : null,
    lastFallbackServeMs:
      lastFallback !== undefined && liftedAt !== undefined ? round(lastFallback - liftedAt) : null,
    worstLatencyMs: round(latencies.at(-1) ?? 0),
    p99LatencyMs: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
    errors: records.filter((r) => r.outcome === 'error').length,
    ops: records.length,
    servedBy: served.counts(),
    failovers: events.of('failover').length,
    recoveries: events.of('recovered').length,
    breakerTransitions: events.of('breaker').length,
    failedAttempts: events.attemptErrors.length,
    failedAttemptCauses: events.attemptCauses(),
    rywCheckedUntil: input.rywCheckedUntil,
    rywChecked: checked.length,
    rywReported: reported.length,
    maxLoopDelayMs: round(input.maxLoopDelayMs),
    wallMs: round(performance.now() - input.startedAt),
    ...(input.historyViolations === undefined ? {} : { history: input.historyViolations }),
    ...(input.notes === undefined ? {} : { notes: input.notes }),
  };
  return { summary, checked, reported, lastRecoveredAt: recovered?.at };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
