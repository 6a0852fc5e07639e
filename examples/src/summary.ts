/** The closing report: totals, latency, the outage as the store saw it, and the data. */
import type { Meter } from './meter.js';
import type { OutageTimes } from './outage.js';
import { colour, print } from './output.js';
import type { OutageAsSeen } from './store-events.js';

export interface SummaryInput {
  readonly loadSeconds: number;
  readonly meter: Meter;
  readonly seen: OutageAsSeen;
  /** Undefined when the demo ran without Redis. */
  readonly outage: OutageTimes | undefined;
}

const s = (seconds: number | undefined) =>
  seconds === undefined ? '-' : `${seconds.toFixed(2)} s`;
const n = (value: number) => value.toLocaleString('en-US');

function gap(from: number | undefined, to: number | undefined): string {
  return from === undefined || to === undefined
    ? ''
    : ` (${Math.round((to - from) * 1000)} ms later)`;
}

/** The summary's lines, plain text (the report shows them too). */
export function summaryLines({ loadSeconds, meter, seen, outage }: SummaryInput): string[] {
  const t = meter.totals;
  const lines = [
    `  load:     ${n(t.requests)} HTTP requests in ${loadSeconds.toFixed(1)} s ` +
      `(${n(Math.round(t.requests / loadSeconds))}/s); non-2xx or no answer: ${t.non2xx}`,
    ...t.firstProblems.map((problem) => `            problem: ${problem}`),
    `  latency:  p99 ${meter.overallP99()?.toFixed(1) ?? '-'} ms, worst ${t.worstMs.toFixed(1)} ms ` +
      `at ${s(t.worstAtS)} (as the client saw it, answer-composing delay included)`,
    `  cache:    cache_status primary in ${n(t.primary)} answers, fallback_active in ${n(t.fallback)}`,
  ];
  if (outage === undefined) {
    lines.push('  outage:   no Redis in this run; the memory backend served every request');
  } else if (outage.killedAtS === undefined) {
    lines.push('  outage:   none: the demo stopped before Redis was killed');
  } else {
    lines.push(
      `  outage:   redis killed at ${s(outage.killedAtS)} -> store failed over at ${s(seen.failoverAtS)}` +
        `${gap(outage.killedAtS, seen.failoverAtS)}`,
    );
    if (seen.failoverReason) lines.push(`            reason: ${seen.failoverReason}`);
    lines.push(
      `            redis restarted at ${s(outage.restartAtS)}, accepting at ${s(outage.backAtS)}` +
        ` -> store recovered at ${s(seen.recoveredAtS)}${gap(outage.backAtS, seen.recoveredAtS)}`,
      seen.outageMs === undefined
        ? '            the store did not report a recovery'
        : `            outage as reported by the store: ${n(seen.outageMs)} ms`,
    );
  }
  lines.push(...dataLines(meter, outage === undefined ? undefined : seen));
  return lines;
}

export function printSummary(lines: readonly string[]): void {
  print();
  print(colour.bold('Summary'));
  for (const line of lines) print(line);
}

/**
 * What the turns found, split at the failover and the recovery: each phase has its own
 * reason for a conversation state to be missing or old, and the summary says which.
 */
function dataLines(meter: Meter, seen: OutageAsSeen | undefined): string[] {
  const { lostAtS, staleAtS } = meter.totals;
  if (seen === undefined) {
    return [
      `  data:     turns that found no state (lost): ${n(lostAtS.length)}; ` +
        `an older state than saved (stale): ${n(staleAtS.length)}`,
    ];
  }
  const from = seen.failoverAtS ?? Number.POSITIVE_INFINITY;
  const to = seen.recoveredAtS ?? Number.POSITIVE_INFINITY;
  const phase = (times: readonly number[], lo: number, hi: number) =>
    times.filter((t) => t >= lo && t < hi).length;
  const lost = [phase(lostAtS, 0, from), phase(lostAtS, from, to), phase(lostAtS, to, Infinity)];
  const stale = [
    phase(staleAtS, 0, from),
    phase(staleAtS, from, to),
    phase(staleAtS, to, Infinity),
  ];
  const lines = [
    '  data:     conversation turns, compared with the turn this load saw last ' +
      '(lost: no state found; stale: an older one)',
  ];
  const line = (label: string, i: number) =>
    lines.push(`            ${label.padEnd(17)} lost ${n(lost[i]!)}, stale ${n(stale[i]!)}`);
  line(seen.failoverAtS === undefined ? 'all turns:' : 'before failover:', 0);
  if (seen.failoverAtS !== undefined) line('during outage:', 1);
  if (seen.recoveredAtS !== undefined) line('after recovery:', 2);
  if (lost[1]! > 0) {
    lines.push(
      '            during the outage: the memory fallback started empty, so conversations',
      '              saved in Redis before the outage were not found',
    );
  }
  if (lost[2]! + stale[2]! > 0) {
    lines.push(
      '            after recovery: Redis serves what it held before the outage; turns saved',
      '              to the memory fallback meanwhile are not copied back yet (the known gap',
      '              in docs/guarantees.md, section 3)',
    );
  }
  return lines;
}
