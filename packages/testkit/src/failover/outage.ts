import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { RecordedEvent } from './event-recorder.js';
import { expectBackOnPrimary, expectCleanRun, expectHistoryClean } from './expectations.js';
import type { ScenarioResult, ScenarioRun } from './scenario.js';

export interface OutageSteps {
  /** Injects the fault (the store is under load and serving from the primary). */
  inject(): unknown;
  /** Lifts it; the fault counts as lifted once this resolves. */
  heal(): unknown;
  /** How long the failover may take after the fault (default 5 s). */
  failoverWithinMs?: number;
  /** The fault lasts at least this long from its injection (default 2 s). */
  faultMs?: number;
  /**
   * With a recorded history (`recordHistory: true`): assert it passes the history
   * checker (default true). False for a run meant to show violations.
   */
  expectHistoryClean?: boolean;
  /** A note for the report, from the failover event. */
  notes?(failover: Extract<RecordedEvent, { name: 'failover' }>): string;
}

/**
 * The story most scenarios tell: a fault under load, one failover to the fallback, the
 * fault held, lifted, one recovery, then load back on the primary for 1.5 s. Checks the
 * clean-run guarantees with exactly one failover and one recovery, and that the primary
 * serves every operation once the recovery settled. A run that records its history
 * (`recordHistory: true`) must also pass the history checker (`expectHistoryClean`).
 * Returns the failover event and the result for
 * what a scenario checks on top.
 */
export async function expectOneOutage(
  run: ScenarioRun,
  steps: OutageSteps,
): Promise<{ failover: Extract<RecordedEvent, { name: 'failover' }>; result: ScenarioResult }> {
  await sleep(1_000);
  await run.fault(steps.inject);
  const failover = await run.events.waitFor('failover', {
    after: run.faultAt,
    timeoutMs: steps.failoverWithinMs ?? 5_000,
  });
  expect(run.store.health()).toMatchObject({ status: 'degraded', active: run.fallback });
  await sleep(Math.max(0, (steps.faultMs ?? 2_000) - (performance.now() - (run.faultAt ?? 0))));

  await run.lift(steps.heal);
  await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
  await sleep(1_500);

  const result = await run.finish(steps.notes?.(failover));
  expectCleanRun(result, { failovers: 1, recoveries: 1 });
  expectBackOnPrimary(result);
  if (run.history !== undefined && (steps.expectHistoryClean ?? true)) expectHistoryClean(result);
  return { failover, result };
}
