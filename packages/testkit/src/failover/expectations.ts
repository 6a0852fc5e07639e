import { expect } from 'vitest';
import type { ScenarioResult } from './scenario.js';

/**
 * How far past `operationTimeout` an operation may settle, as seen by the caller.
 *
 * The store enforces its deadline with one shared timer that fires from the event loop,
 * and the caller's continuation runs a few turns after that. On this 2-core machine,
 * shared with other work, the event loop under 100 operations in flight stalls for up to
 * a few tens of ms (each summary reports `maxLoopDelayMs`). 150 ms covers that noise
 * several times over, yet is shorter than the default breaker timeout (250 ms): an
 * operation that ran a whole extra backend attempt past its deadline still fails.
 */
export const DEADLINE_MARGIN_MS = 150;

/** An exact count, or a range. */
export type Count = number | { readonly min?: number; readonly max: number };

export interface CleanRunExpectations {
  /** `failover` events in the whole run. */
  readonly failovers: Count;
  /** `recovered` events in the whole run. */
  readonly recoveries: Count;
}

/**
 * The guarantees every scenario checks: no caller-visible error, every operation within
 * its deadline, the expected failover/recovered events (from the primary to the fallback
 * and back),
 * no unhandled rejection, no leaked handle after close(), and no read-your-writes
 * violation in the checked window (before the primary recovered, or before the fault).
 */
export function expectCleanRun(result: ScenarioResult, expected: CleanRunExpectations): void {
  const { summary, records } = result;
  expect(summary.ops, 'the load ran').toBeGreaterThan(0);

  const errors = records.filter((r) => r.outcome === 'error');
  expect(errors.slice(0, 5), `${errors.length} caller-visible errors`).toEqual([]);

  const bound = result.operationTimeoutMs + DEADLINE_MARGIN_MS;
  const late = records.filter((r) => r.latencyMs > bound);
  expect(
    late.slice(0, 5).map((r) => `${r.op} ${r.key}: ${Math.round(r.latencyMs)} ms`),
    `${late.length} operations took longer than ${bound} ms`,
  ).toEqual([]);

  expect(result.rejections, 'unhandled rejections').toEqual([]);
  expect(result.leaks, 'handles left after close()').toEqual([]);
  expect(
    result.violationsChecked.slice(0, 5),
    `${result.violationsChecked.length} read-your-writes violations before ${result.summary.rywCheckedUntil}`,
  ).toEqual([]);

  const failovers = result.events.filter((e) => e.name === 'failover');
  const recoveries = result.events.filter((e) => e.name === 'recovered');
  const story = JSON.stringify(result.events.map((e) => ({ name: e.name, ...e.payload })));
  expectCount(failovers.length, expected.failovers, `failover events: ${story}`);
  expectCount(recoveries.length, expected.recoveries, `recovered events: ${story}`);
  for (const event of failovers) {
    expect(event.payload, story).toMatchObject({ from: result.primary, to: result.fallback });
  }
  for (const event of recoveries) expect(event.payload.backend, story).toBe(result.primary);
  // Paired: outages alternate failover → recovered, never two of one kind in a row.
  const sequence = result.events
    .filter((e) => e.name === 'failover' || e.name === 'recovered')
    .map((e) => e.name);
  sequence.forEach((name, i) => {
    expect(name, story).toBe(i % 2 === 0 ? 'failover' : 'recovered');
  });
}

function expectCount(actual: number, expected: Count, message: string): void {
  if (typeof expected === 'number') {
    expect(actual, message).toBe(expected);
    return;
  }
  expect(actual, message).toBeGreaterThanOrEqual(expected.min ?? 0);
  expect(actual, message).toBeLessThanOrEqual(expected.max);
}

/**
 * The primary serves again: once operations in flight at the last recovery have settled
 * (they may still finish on the fallback; `operationTimeout` bounds them) and the writes
 * it missed were replayed into it (`reconciled`: until then those keys stay on the
 * fallback), the primary answers the operations, and there were some. Scenarios keep the
 * load running 1.5 s past the recovery so that window is not empty.
 *
 * One allowance: a key written while the replay ran, or by an attempt that still failed
 * or timed out after it (a server warming up under full load), is journaled again, and
 * the fallback serves it until the next replay pass, at most half a second later. The
 * fallback may answer at most `FALLBACK_SHARE_AFTER_RECOVERY` of the operations in the
 * window; a store that stayed on the fallback fails this.
 */
export function expectBackOnPrimary(result: ScenarioResult): void {
  expect(result.lastRecoveredAt, 'a recovered event').toBeDefined();
  const servesAgainAt = Math.max(result.lastRecoveredAt ?? 0, result.reconciledAt ?? 0);
  const settled = servesAgainAt + result.operationTimeoutMs;
  const after = result.served.counts(settled);
  const onPrimary = after[result.primary] ?? 0;
  expect(onPrimary, JSON.stringify(after)).toBeGreaterThan(0);
  const elsewhere = Object.entries(after).filter(([backend]) => backend !== result.primary);
  if (elsewhere.length === 0) return;
  const offPrimary = elsewhere.reduce((sum, [, count]) => sum + count, 0);
  const story = `operations after the recovery settled: ${JSON.stringify(after)}`;
  expect(offPrimary / (offPrimary + onPrimary), story).toBeLessThanOrEqual(
    FALLBACK_SHARE_AFTER_RECOVERY,
  );
}

/**
 * The run's history (recorded with `recordHistory: true`) passes the history checker:
 * no read-your-writes or monotonic-read violation at any time — before the fault,
 * during it, and after the recovery — and, on the final reads made once the load
 * stopped, every key converged on its newest acknowledged write. Fails with the first
 * violations in words.
 */
export function expectHistoryClean(result: ScenarioResult): void {
  const history = result.history;
  expect(history, 'the run recorded a history (recordHistory: true)').toBeDefined();
  if (history === undefined) return;
  const { report } = history;
  expect(report.reads, 'reads recorded').toBeGreaterThan(0);
  expect(report.writes, 'writes recorded').toBeGreaterThan(0);
  expect(
    report.violations.slice(0, 5).map((v) => v.message),
    `${report.violations.length} history violations ${JSON.stringify(report.counts)}`,
  ).toEqual([]);
}

/** See `expectBackOnPrimary`: seen up to 0.4 % on a loaded 2-core machine. */
const FALLBACK_SHARE_AFTER_RECOVERY = 0.01;
