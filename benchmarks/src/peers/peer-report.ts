/** The tables of the peer comparison, as plain text (console) and inside the Markdown report. */
import { type Column, renderTable } from '../table.js';
import type { GetManyRun } from './get-many.js';
import type { Peer } from './peer.js';
import { SCENARIO_TITLES, type ScenarioName } from './peer-config.js';
import type { ScenarioResult } from './scenarios.js';
import type { ThroughputResult } from './throughput.js';
import { THROUGHPUT_CELLS } from './throughput.js';

const count = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) =>
  n === undefined || Number.isNaN(n)
    ? '-'
    : n < 10
      ? n.toFixed(1)
      : Math.round(n).toLocaleString('en-US');
const ratio = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(2));

export function configurationTable(
  peers: readonly Pick<Peer, 'name' | 'library' | 'layers' | 'configuration'>[],
): string {
  const columns: Column[] = [
    { title: 'row', align: 'left' },
    { title: 'package', align: 'left' },
    { title: 'gets answered from', align: 'left' },
    { title: 'configuration', align: 'left' },
  ];
  return renderTable(
    columns,
    peers.map((p) => [p.name, p.library, p.layers, p.configuration]),
  );
}

export function throughputTable(results: readonly ThroughputResult[]): string {
  const peers = [...new Set(results.map((r) => r.peer))];
  const columns: Column[] = [
    { title: 'row', align: 'left' },
    ...THROUGHPUT_CELLS.flatMap(({ operation, inFlight }): Column[] => [
      { title: `${operation} x${inFlight} ops/s`, align: 'right' },
      { title: 'ratio (middle 50%)', align: 'right' },
    ]),
  ];
  const rows = peers.map((peer) => [
    peer,
    ...THROUGHPUT_CELLS.flatMap(({ operation, inFlight }) => {
      const r = results.find(
        (x) => x.peer === peer && x.operation === operation && x.inFlight === inFlight,
      );
      if (!r) return ['-', '-'];
      return [
        count(r.medianOpsPerSec),
        `${ratio(r.ratio)} (${ratio(r.ratioQuartiles[0])}-${ratio(r.ratioQuartiles[1])})`,
      ];
    }),
  ]);
  return renderTable(columns, rows);
}

/** Mean latency per operation (Little's law), the other face of the same measurement. */
export function latencyTable(results: readonly ThroughputResult[]): string {
  const peers = [...new Set(results.map((r) => r.peer))];
  const columns: Column[] = [
    { title: 'row', align: 'left' },
    ...THROUGHPUT_CELLS.map(
      ({ operation, inFlight }): Column => ({
        title: `${operation} x${inFlight} µs`,
        align: 'right',
      }),
    ),
  ];
  const rows = peers.map((peer) => [
    peer,
    ...THROUGHPUT_CELLS.map(({ operation, inFlight }) => {
      const r = results.find(
        (x) => x.peer === peer && x.operation === operation && x.inFlight === inFlight,
      );
      return r ? r.meanLatencyUs.toFixed(1) : '-';
    }),
  ]);
  return renderTable(columns, rows);
}

export function getManyTable(run: GetManyRun): string {
  const columns: Column[] = [
    { title: 'row', align: 'left' },
    { title: 'keys/s', align: 'right' },
    { title: 'of redis-benchmark GETs/s', align: 'right' },
  ];
  const rows = run.results.map((r) => [
    r.peer,
    r.keysPerSec === undefined ? 'no many-keys call' : count(r.keysPerSec),
    r.ofRedisBenchmark === undefined ? '-' : r.ofRedisBenchmark.toFixed(2),
  ]);
  rows.push([
    'redis-benchmark -P 16 GET',
    run.redisBenchmarkGetsPerSec === undefined
      ? `not measured: ${run.redisBenchmarkProblem}`
      : count(run.redisBenchmarkGetsPerSec),
    '1.00',
  ]);
  return renderTable(columns, rows);
}

export function scenarioTable(results: readonly ScenarioResult[]): string {
  const startup = results[0]?.scenario === 'startup';
  const columns: Column[] = [
    { title: 'row', align: 'left' },
    ...(startup ? [] : [{ title: 'ops/s before', align: 'right' } as Column]),
    { title: 'ops/s during', align: 'right' },
    { title: 'ops/s after', align: 'right' },
    { title: 'errors', align: 'right' },
    { title: 'misses', align: 'right' },
    { title: 'p99 ms in fault', align: 'right' },
    { title: 'max ms', align: 'right' },
    { title: 'longest stall ms', align: 'right' },
    {
      title: startup ? 'first answer ms (open ms)' : 'first answer ms',
      align: 'right',
    },
    { title: 'back on Redis ms', align: 'right' },
    { title: 'stale reads', align: 'right' },
    { title: 'hung at end', align: 'right' },
  ];
  const rows = results.map((r) => {
    const { before, during, after } = r.phases;
    const maxMs = Math.max(
      ...[before.maxMs, during.maxMs, after.maxMs].filter((n) => !Number.isNaN(n)),
    );
    return [
      r.peer,
      ...(startup ? [] : [count(before.answeredPerSec)]),
      count(during.answeredPerSec),
      count(after.answeredPerSec),
      count(before.errors + during.errors + after.errors),
      count(during.misses + after.misses),
      ms(r.inFault.p99Ms),
      ms(Number.isFinite(maxMs) ? maxMs : Number.NaN),
      ms(r.longestStallMs),
      startup ? `${ms(r.firstAnswerMs)} (${ms(r.openMs)})` : ms(r.firstAnswerAfterFaultMs),
      r.backOnRedisMs === undefined ? 'never' : ms(r.backOnRedisMs),
      count(r.staleReads),
      count(r.hungAtEnd),
    ];
  });
  return renderTable(columns, rows);
}

/** One line per library that failed a caller in a scenario: how, in its own words. */
export function failureNotes(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((r) => {
    const notes: string[] = [];
    if (r.openError) notes.push(`${r.peer}: open() failed: ${r.openError}`);
    if (r.errorMessages.length)
      notes.push(`${r.peer}: errors seen: ${r.errorMessages.join(' | ')}`);
    if (r.hungAtEnd > 0) {
      notes.push(`${r.peer}: ${r.hungAtEnd} operations still unanswered at the end of the run`);
    }
    if (r.backOnRedisMs === undefined) {
      notes.push(
        `${r.peer}: Redis never again served ${Math.round(r.redisThreshold)} commands/s from it within the run`,
      );
    }
    return notes;
  });
}

export function scenarioHeading(scenario: ScenarioName): string {
  return SCENARIO_TITLES[scenario];
}

export const SCENARIO_COLUMNS_NOTE = [
  'ops/s: answered operations (hits, misses and acknowledged sets) per second, by when they',
  '  started: before the fault, during it (until SIGCONT, or the restarted server accepting),',
  '  after it. errors: calls that rejected. misses: gets, started from the fault on, that found',
  '  nothing for a key with an acknowledged write (a killed Redis loses its data).',
  '  p99 ms in fault: of every call in flight at some moment of the fault, whenever it started.',
  '  longest stall: the longest time, from the fault on, in which no caller got any answer.',
  '  first answer: from the fault (startup: from asking the library to open) to the first',
  '  answer to an operation started after it. back on Redis: from the fault end until Redis',
  "  serves at least 10% of the library's healthy command rate from then on (read from Redis's",
  '  own counter). stale reads: a get that returned an older value than one its worker had',
  '  written and the library acknowledged. hung at end: calls unanswered 5 s after the load',
  '  stopped.',
].join('\n');
