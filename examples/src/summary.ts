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

export function printSummary({ loadSeconds, meter, seen, outage }: SummaryInput): void {
  const t = meter.totals;
  print();
  print(colour.bold('Summary'));
  print(
    `  load:     ${n(t.calls)} store calls in ${loadSeconds.toFixed(1)} s ` +
      `(${n(Math.round(t.calls / loadSeconds))}/s); errors seen by callers: ${t.errors}`,
  );
  for (const message of t.firstErrors) print(`            error: ${message}`);
  print(
    `  latency:  p99 ${meter.overallP99()?.toFixed(1) ?? '-'} ms, worst ${t.worstMs.toFixed(1)} ms ` +
      `at ${s(t.worstAtS)} (store calls, recommendation loads excluded)`,
  );
  print(`  loads:    ${n(t.loads)} recommendation computations (cache misses on recs:{user})`);

  if (outage === undefined) {
    print('  outage:   no Redis in this run; the memory fallback served every call');
  } else if (outage.killedAtS === undefined) {
    print('  outage:   none: the demo stopped before Redis was killed');
  } else {
    print(
      `  outage:   redis killed at ${s(outage.killedAtS)} -> store failed over at ${s(seen.failoverAtS)}` +
        `${gap(outage.killedAtS, seen.failoverAtS)}`,
    );
    if (seen.failoverReason) print(`            reason: ${seen.failoverReason}`);
    print(
      `            redis restarted at ${s(outage.restartAtS)}, accepting at ${s(outage.backAtS)}` +
        ` -> store recovered at ${s(seen.recoveredAtS)}${gap(outage.backAtS, seen.recoveredAtS)}`,
    );
    print(
      seen.outageMs === undefined
        ? '            the store did not report a recovery'
        : `            outage as reported by the store: ${n(seen.outageMs)} ms`,
    );
  }
  printData(meter, outage === undefined ? undefined : seen);
}

/**
 * What the reads found, split at the failover and the recovery: each phase has its own
 * reason for a read to come back empty or old, and the summary says which.
 */
function printData(meter: Meter, seen: OutageAsSeen | undefined): void {
  const { lostAtS, staleAtS } = meter.totals;
  if (seen === undefined) {
    print(
      `  data:     conversation reads that found nothing (lost): ${n(lostAtS.length)}; ` +
        `an older turn than saved (stale): ${n(staleAtS.length)}`,
    );
    return;
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
  print(
    '  data:     conversation reads, compared with the turn this process saved last ' +
      '(lost: nothing found; stale: an older turn)',
  );
  const line = (label: string, i: number) =>
    print(`            ${label.padEnd(17)} lost ${n(lost[i]!)}, stale ${n(stale[i]!)}`);
  line(seen.failoverAtS === undefined ? 'all reads:' : 'before failover:', 0);
  if (seen.failoverAtS !== undefined) line('during outage:', 1);
  if (seen.recoveredAtS !== undefined) line('after recovery:', 2);
  if (lost[1]! > 0) {
    print('            during the outage: the memory fallback started empty, so conversations');
    print('              saved in Redis before the outage were not found');
  }
  if (lost[2]! + stale[2]! > 0) {
    print('            after recovery: Redis serves what it held before the outage; turns saved');
    print('              to the memory fallback meanwhile were not copied back (the known gap in');
    print('              docs/guarantees.md, section 3), and the fallback was emptied');
  }
}
