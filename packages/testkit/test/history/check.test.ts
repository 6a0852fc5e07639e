import { describe, expect, it } from 'vitest';
import {
  checkHistory,
  type History,
  type HistoryCheck,
  type HistoryOp,
  type HistoryViolation,
  type HistoryViolationKind,
} from '../../src/history/index.js';

/** A set by `process`, invoked at `from` and acknowledged at `to`; its id is `<process>:<n>`. */
function set(process: string, n: number, key: string, from: number, to: number): HistoryOp {
  return {
    process,
    kind: 'set',
    key,
    invokedAt: from,
    completedAt: to,
    outcome: 'ok',
    version: `${process}:${n}`,
  };
}

function del(process: string, n: number, key: string, from: number, to: number): HistoryOp {
  return { ...set(process, n, key, from, to), kind: 'delete' };
}

function failed(write: HistoryOp): HistoryOp {
  return { ...write, outcome: 'error', error: 'BackendTimeoutError: timed out' };
}

/** A read by `process` that returned the write `version` (null: a miss). */
function read(
  process: string,
  key: string,
  from: number,
  to: number,
  version: string | null,
): HistoryOp {
  return { process, kind: 'read', key, invokedAt: from, completedAt: to, outcome: 'ok', version };
}

function history(...ops: HistoryOp[]): History {
  return { ops };
}

/** check/kind of each violation, and the operations it names. */
function summary(violations: readonly HistoryViolation[]) {
  return violations.map((v) => ({ check: v.check, kind: v.kind, ops: v.ops }));
}

/** A history with exactly one violation, and the operations that must show it. */
interface BadCase {
  readonly title: string;
  readonly build: () => {
    readonly ops: HistoryOp[];
    readonly convergedAfter?: number;
    readonly expected: { check: HistoryCheck; kind: HistoryViolationKind; ops: HistoryOp[] };
  };
}

const BAD_CASES: readonly BadCase[] = [
  {
    title:
      'read-your-writes: a value older than the process’s own write acknowledged before the read',
    build: () => {
      const [w1, w2] = [set('p1', 1, 'a', 0, 10), set('p1', 2, 'a', 20, 30)];
      const r = read('p1', 'a', 40, 41, 'p1:1');
      return {
        ops: [w1, w2, r],
        expected: { check: 'read-your-writes', kind: 'stale', ops: [r, w1, w2] },
      };
    },
  },
  {
    title: 'read-your-writes: a value the process deleted before the read',
    build: () => {
      const [w1, d] = [set('p1', 1, 'a', 0, 10), del('p1', 2, 'a', 20, 30)];
      const r = read('p1', 'a', 40, 41, 'p1:1');
      return {
        ops: [w1, d, r],
        expected: { check: 'read-your-writes', kind: 'resurrected', ops: [r, w1, d] },
      };
    },
  },
  {
    title: 'read-your-writes: another process’s value older than the process’s own write',
    build: () => {
      const [theirs, mine] = [set('p2', 1, 'a', 0, 5), set('p1', 1, 'a', 10, 20)];
      const r = read('p1', 'a', 30, 31, 'p2:1');
      return {
        ops: [theirs, mine, r],
        expected: { check: 'read-your-writes', kind: 'stale', ops: [r, theirs, mine] },
      };
    },
  },
  {
    title: 'monotonic reads: a read older than what an earlier read of the same process returned',
    build: () => {
      const [w1, w2] = [set('p2', 1, 'a', 0, 5), set('p2', 2, 'a', 10, 15)];
      const [first, second] = [read('p1', 'a', 20, 21, 'p2:2'), read('p1', 'a', 30, 31, 'p2:1')];
      return {
        ops: [w1, w2, first, second],
        expected: { check: 'monotonic-reads', kind: 'backwards', ops: [second, w1, first, w2] },
      };
    },
  },
  {
    title: 'convergence: a value older than the newest acknowledged write, of another process',
    build: () => {
      const [older, newest] = [set('p1', 1, 'a', 0, 10), set('p2', 1, 'a', 20, 30)];
      const r = read('p1', 'a', 100, 101, 'p1:1');
      return {
        ops: [older, newest, r],
        convergedAfter: 100,
        expected: { check: 'convergence', kind: 'stale', ops: [r, older, newest] },
      };
    },
  },
  {
    title: 'convergence: a value the newest acknowledged write, a delete, removed',
    build: () => {
      const [older, d] = [set('p1', 1, 'a', 0, 10), del('p2', 1, 'a', 20, 30)];
      const r = read('p1', 'a', 100, 101, 'p1:1');
      return {
        ops: [older, d, r],
        convergedAfter: 100,
        expected: { check: 'convergence', kind: 'resurrected', ops: [r, older, d] },
      };
    },
  },
  {
    title: 'convergence: a miss when the newest acknowledged write was a set',
    build: () => {
      const newest = set('p2', 1, 'a', 20, 30);
      const r = read('p1', 'a', 100, 101, null);
      return {
        ops: [newest, r],
        convergedAfter: 100,
        expected: { check: 'convergence', kind: 'lost', ops: [r, newest] },
      };
    },
  },
];

describe('each check flags a known-bad history', () => {
  it.each(BAD_CASES)('$title', ({ build }) => {
    const { ops, convergedAfter, expected } = build();
    const report = checkHistory(
      history(...ops),
      convergedAfter === undefined ? {} : { convergedAfter },
    );
    expect(summary(report.violations)).toEqual([expected]);
    expect(report.counts[expected.check]).toBe(1);
    // Times in the message count from the history's first operation.
    const read = expected.ops[0]!;
    const at = read.invokedAt - Math.min(...ops.map((op) => op.invokedAt));
    expect(report.violations[0]?.message).toContain(
      `${read.process} read "a" at +${at.toFixed(1)} ms`,
    );
    // Convergence is judged only from the time given.
    if (convergedAfter !== undefined) expect(checkHistory(history(...ops)).violations).toEqual([]);
  });
});

describe('read-your-writes', () => {
  it('admits overlapping writes in either order, writes in flight or acknowledged after the read began, misses, and failed writes', () => {
    const report = checkHistory(
      history(
        set('p1', 1, 'a', 0, 20),
        set('p1', 2, 'a', 10, 25), // overlaps p1:1: either may have landed last
        read('p1', 'a', 30, 31, 'p1:1'),
        read('p1', 'a', 32, 33, 'p1:2'),
        set('p1', 3, 'a', 40, 50), // acknowledged after the next read began
        read('p1', 'a', 45, 46, 'p1:2'),
        read('p1', 'a', 60, 61, null), // a cache may lose entries
        failed(set('p1', 4, 'a', 70, 80)), // rejected, yet it may have landed, and at any time
        read('p1', 'a', 90, 91, 'p1:4'),
        set('p1', 5, 'a', 100, 110),
        read('p1', 'a', 120, 121, 'p1:4'),
      ),
    );
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ reads: 6, writes: 5 });
  });

  it('checks each key and each process on its own', () => {
    const report = checkHistory(
      history(
        set('p1', 1, 'a', 0, 10),
        set('p1', 2, 'b', 20, 30), // another key: says nothing about a
        read('p1', 'a', 40, 41, 'p1:1'),
        set('p2', 1, 'c', 0, 10),
        set('p2', 2, 'c', 20, 30),
        read('p3', 'c', 40, 41, 'p2:1'), // p3 wrote nothing: no own write to read back
      ),
    );
    expect(report.violations).toEqual([]);
  });
});

describe('monotonic reads', () => {
  it('admits overlapping reads, overlapping writes, another process reading older, and misses', () => {
    const report = checkHistory(
      history(
        set('p2', 1, 'a', 0, 5),
        set('p2', 2, 'a', 10, 15),
        read('p1', 'a', 20, 30, 'p2:2'),
        read('p1', 'a', 25, 31, 'p2:1'), // began before the first completed
        read('p3', 'a', 40, 41, 'p2:1'), // another process: its own order only
        read('p1', 'a', 40, 41, null),
        set('p2', 3, 'a', 50, 70),
        set('p2', 4, 'a', 60, 65),
        read('p1', 'a', 80, 81, 'p2:4'),
        read('p1', 'a', 82, 83, 'p2:3'), // p2:3 and p2:4 overlap: either may be last
      ),
    );
    expect(report.violations).toEqual([]);
  });
});

describe('convergence', () => {
  it('flags processes that settle on different values, each admissible alone', () => {
    const w1 = set('p1', 1, 'a', 0, 30);
    const w2 = set('p2', 1, 'a', 10, 40);
    const r1 = read('p1', 'a', 100, 101, 'p1:1');
    const r2 = read('p2', 'a', 100, 101, 'p2:1');
    const report = checkHistory(history(w1, w2, r1, r2), { convergedAfter: 100 });
    expect(summary(report.violations)).toEqual([
      { check: 'convergence', kind: 'diverged', ops: [r1, r2] },
    ]);
    expect(report.violations[0]?.message).toContain('answered p1:1, p2:1');
  });

  it('admits the newest write, either of overlapping last writes when all agree, a miss after a delete or a failed delete, and keys never written', () => {
    const report = checkHistory(
      history(
        set('p1', 1, 'a', 0, 10),
        set('p2', 1, 'a', 20, 30),
        read('p1', 'a', 100, 101, 'p2:1'),
        read('p2', 'a', 100, 101, 'p2:1'),
        set('p1', 2, 'b', 0, 30),
        set('p2', 2, 'b', 10, 40),
        read('p1', 'b', 100, 101, 'p1:2'),
        read('p2', 'b', 100, 101, 'p1:2'),
        set('p1', 3, 'c', 0, 10),
        del('p2', 3, 'c', 20, 30),
        read('p1', 'c', 100, 101, null),
        set('p1', 4, 'd', 0, 10),
        failed(del('p2', 4, 'd', 20, 30)),
        read('p2', 'd', 100, 101, null),
        read('p1', 'never', 100, 101, null),
      ),
      { convergedAfter: 100 },
    );
    expect(report.violations).toEqual([]);
  });
});

describe('values', () => {
  it('flags a value of another key, one no write made, a delete’s id, and a malformed one', () => {
    const w = set('p1', 1, 'a', 0, 10);
    const d = del('p1', 2, 'a', 20, 30);
    const foreign = { ...read('p1', 'b', 40, 41, 'p1:1'), anomaly: 'foreign' as const };
    const unknown = read('p1', 'a', 40, 41, 'p9:9');
    const deleted = read('p1', 'a', 40, 41, 'p1:2');
    const malformed = { ...read('p1', 'a', 40, 41, null), anomaly: 'malformed' as const };
    const report = checkHistory(history(w, d, foreign, unknown, deleted, malformed));
    expect(summary(report.violations)).toEqual([
      { check: 'values', kind: 'unknown-version', ops: [unknown] },
      { check: 'values', kind: 'unknown-version', ops: [deleted, d] },
      { check: 'values', kind: 'malformed', ops: [malformed] },
      { check: 'values', kind: 'foreign', ops: [foreign, w] },
    ]);
    expect(report.counts).toEqual({
      'read-your-writes': 0,
      'monotonic-reads': 0,
      convergence: 0,
      values: 4,
    });
  });
});
