import { type History, HistoryFormatError, type HistoryOp, type WriteId } from './history.js';

/**
 * Checks a history, key by key. Writes that overlap in time may land in either order,
 * so "older" is only what real time proves: a write `a` is older than a write `b` when
 * `a` was acknowledged before `b` was invoked. A write that rejected may still have
 * landed, at any time: it is never older than anything and supersedes nothing. Every
 * rounding goes the way that admits more answers, so each violation is certain.
 *
 * - read-your-writes: a read returns nothing older than a write of the same process
 *   acknowledged before the read was invoked (nor a value that write deleted);
 * - monotonic reads: a read returns nothing older than what an earlier read of the same
 *   process (completed before it was invoked) returned;
 * - convergence (with `convergedAfter`): every read invoked from then on returns the
 *   newest acknowledged write — none older, no miss when that write was a set — and all
 *   of them the same answer;
 * - values: every answer is a value some write of that key in the history wrote.
 *
 * A miss never breaks the first two: a cache may lose entries (eviction, a restarted
 * server without persistence), and the store promises no more than that.
 */

export type HistoryCheck = 'read-your-writes' | 'monotonic-reads' | 'convergence' | 'values';

export type HistoryViolationKind =
  /** Older than a write known to be newer (a set). */
  | 'stale'
  /** The value of a write a known-newer delete removed. */
  | 'resurrected'
  /** Older than what an earlier read of the same process returned. */
  | 'backwards'
  /** A miss after convergence, although the newest acknowledged write was a set. */
  | 'lost'
  /** Reads after convergence that do not all answer the same. */
  | 'diverged'
  /** A value of this key that no write in the history wrote. */
  | 'unknown-version'
  /** A value of another key. */
  | 'foreign'
  /** Not a value of the history at all. */
  | 'malformed';

export interface HistoryViolation {
  readonly check: HistoryCheck;
  readonly kind: HistoryViolationKind;
  readonly key: string;
  /** The process of the read that shows it. */
  readonly process: string;
  /** The operations that show it: the read first, then what makes its answer wrong. */
  readonly ops: readonly HistoryOp[];
  /** The same, in words, with times relative to the history's first operation. */
  readonly message: string;
}

export interface HistoryCheckOptions {
  /**
   * From this time on (same clock as the history) the backends have recovered and
   * writes have stopped: reads invoked then are checked for convergence. Without it,
   * convergence is not checked.
   */
  readonly convergedAfter?: number;
}

export interface HistoryReport {
  readonly violations: readonly HistoryViolation[];
  /** Violations per check (every check listed, zeros included). */
  readonly counts: Readonly<Record<HistoryCheck, number>>;
  readonly reads: number;
  readonly writes: number;
}

/** Checks every key of `history`; see the rules above. */
export function checkHistory(history: History, options: HistoryCheckOptions = {}): HistoryReport {
  const context = new CheckContext(history);
  const violations: HistoryViolation[] = [];
  for (const [key, ops] of groupBy(history.ops, (op) => op.key)) {
    const valid = ops.filter((op) => isAnsweredRead(op) && context.judgeValue(op, violations));
    const judgeable = new Set(valid);
    for (const [, own] of groupBy(ops, (op) => op.process)) {
      const ownReads = own.filter((op) => judgeable.has(op));
      context.readYourWrites(own.filter(isAcknowledgedWrite), ownReads, violations);
      context.monotonicReads(ownReads, violations);
    }
    if (options.convergedAfter !== undefined) {
      context.convergence(key, ops, valid, options.convergedAfter, violations);
    }
  }
  const counts: Record<HistoryCheck, number> = {
    'read-your-writes': 0,
    'monotonic-reads': 0,
    convergence: 0,
    values: 0,
  };
  for (const v of violations) counts[v.check]++;
  return {
    violations,
    counts,
    reads: history.ops.filter((op) => op.kind === 'read').length,
    writes: history.ops.filter((op) => op.kind !== 'read').length,
  };
}

/** A read that answered (hit or miss). */
function isAnsweredRead(op: HistoryOp): boolean {
  return op.kind === 'read' && op.outcome === 'ok';
}

function isAcknowledgedWrite(op: HistoryOp): boolean {
  return op.kind !== 'read' && op.outcome === 'ok';
}

/** When a write is known to have taken effect: never, for one that rejected. */
function ackedAt(write: HistoryOp): number {
  return write.outcome === 'ok' ? write.completedAt : Number.POSITIVE_INFINITY;
}

/** The latest-invoked of the writes seen so far, and when it was invoked. */
interface Floor {
  at: number;
  op: HistoryOp | undefined;
  /** For monotonic reads: the earlier read that saw `op`. */
  read?: HistoryOp;
}

class CheckContext {
  private readonly writes = new Map<WriteId, HistoryOp>();
  private readonly origin: number;

  constructor(history: History) {
    let origin = Number.POSITIVE_INFINITY;
    for (const op of history.ops) {
      origin = Math.min(origin, op.invokedAt);
      if (op.kind === 'read' || op.version === null) continue;
      if (this.writes.has(op.version)) {
        throw new HistoryFormatError(`two writes carry the id ${op.version}`);
      }
      this.writes.set(op.version, op);
    }
    this.origin = Number.isFinite(origin) ? origin : 0;
  }

  /** Checks that a hit names a write of its key; false when its answer cannot be judged further. */
  judgeValue(read: HistoryOp, out: HistoryViolation[]): boolean {
    if (read.version === null && read.anomaly === undefined) return true;
    const write = read.version === null ? undefined : this.writes.get(read.version);
    let kind: HistoryViolationKind | undefined;
    if (read.anomaly === 'malformed') kind = 'malformed';
    else if (read.anomaly === 'foreign' || (write && write.key !== read.key)) kind = 'foreign';
    else if (!write || write.kind !== 'set') kind = 'unknown-version';
    if (kind === undefined) return true;
    out.push(
      this.violation(
        'values',
        kind,
        read,
        write ? [write] : [],
        `returned ${read.version ?? 'a value'}, which no set of ${JSON.stringify(read.key)} wrote`,
      ),
    );
    return false;
  }

  /** Own acknowledged writes against own reads: nothing older than the newest one before. */
  readYourWrites(writes: HistoryOp[], reads: HistoryOp[], out: HistoryViolation[]): void {
    const byAck = [...writes].sort((a, b) => a.completedAt - b.completedAt);
    const floor: Floor = { at: Number.NEGATIVE_INFINITY, op: undefined };
    let next = 0;
    for (const read of [...reads].sort((a, b) => a.invokedAt - b.invokedAt)) {
      for (; next < byAck.length && byAck[next]!.completedAt < read.invokedAt; next++) {
        const write = byAck[next]!;
        if (write.invokedAt > floor.at) Object.assign(floor, { at: write.invokedAt, op: write });
      }
      const returned = this.returnedWrite(read);
      if (returned === undefined || floor.op === undefined || ackedAt(returned) >= floor.at) {
        continue;
      }
      const newer = floor.op;
      const kind = newer.kind === 'delete' ? 'resurrected' : 'stale';
      out.push(
        this.violation(
          'read-your-writes',
          kind,
          read,
          [returned, newer],
          `returned ${returned.version}, acknowledged ${this.time(returned.completedAt)}, although its own ${newer.kind} ${newer.version} (invoked ${this.time(newer.invokedAt)}) was acknowledged ${this.time(newer.completedAt)}, before the read`,
        ),
      );
    }
  }

  /** Own reads against own earlier reads: never an answer older than one already seen. */
  monotonicReads(reads: HistoryOp[], out: HistoryViolation[]): void {
    const byCompletion = [...reads].sort((a, b) => a.completedAt - b.completedAt);
    const floor: Floor = { at: Number.NEGATIVE_INFINITY, op: undefined };
    let next = 0;
    for (const read of [...reads].sort((a, b) => a.invokedAt - b.invokedAt)) {
      for (
        ;
        next < byCompletion.length && byCompletion[next]!.completedAt < read.invokedAt;
        next++
      ) {
        const earlier = byCompletion[next]!;
        const seen = this.returnedWrite(earlier);
        if (seen && seen.invokedAt > floor.at) {
          Object.assign(floor, { at: seen.invokedAt, op: seen, read: earlier });
        }
      }
      const returned = this.returnedWrite(read);
      if (returned === undefined || floor.op === undefined || ackedAt(returned) >= floor.at) {
        continue;
      }
      const earlier = floor.read!;
      out.push(
        this.violation(
          'monotonic-reads',
          'backwards',
          read,
          [returned, earlier, floor.op],
          `returned ${returned.version}, acknowledged ${this.time(returned.completedAt)}, after an earlier read (completed ${this.time(earlier.completedAt)}) had returned ${floor.op.version}, invoked ${this.time(floor.op.invokedAt)}`,
        ),
      );
    }
  }

  /** Reads from `after` on: the newest acknowledged write, and one answer for all of them. */
  convergence(
    key: string,
    ops: HistoryOp[],
    reads: HistoryOp[],
    after: number,
    out: HistoryViolation[],
  ): void {
    const finals = reads.filter((r) => r.invokedAt >= after);
    if (finals.length === 0) return;
    const writes = ops.filter((op) => op.kind !== 'read');
    for (const read of finals) {
      // The newest acknowledged write before the read: the latest-invoked one.
      let newest: HistoryOp | undefined;
      for (const w of writes) {
        if (
          w.outcome === 'ok' &&
          w.completedAt < read.invokedAt &&
          (!newest || w.invokedAt > newest.invokedAt)
        )
          newest = w;
      }
      if (newest === undefined) continue;
      const floor = newest.invokedAt;
      const returned = this.returnedWrite(read);
      if (returned !== undefined) {
        if (ackedAt(returned) < floor) {
          const kind = newest.kind === 'delete' ? 'resurrected' : 'stale';
          out.push(
            this.violation(
              'convergence',
              kind,
              read,
              [returned, newest],
              `after convergence returned ${returned.version}, acknowledged ${this.time(returned.completedAt)}, not the newest acknowledged write ${newest.version} (${newest.kind} by ${newest.process}, invoked ${this.time(newest.invokedAt)})`,
            ),
          );
        }
        continue;
      }
      // A miss is right when a write that may be the last one is a delete.
      const candidates = writes.filter((w) => ackedAt(w) >= floor);
      if (!candidates.some((w) => w.kind === 'delete')) {
        out.push(
          this.violation(
            'convergence',
            'lost',
            read,
            [newest],
            `after convergence missed, although the newest acknowledged write ${newest.version} was a set by ${newest.process} (invoked ${this.time(newest.invokedAt)})`,
          ),
        );
      }
    }
    if (writes.some((w) => w.invokedAt >= after)) return;
    const answers = groupBy(finals, (r) => r.version ?? 'miss');
    if (answers.size > 1) {
      const shown = [...answers.values()].map((rs) => rs[0]!);
      out.push(
        this.violation(
          'convergence',
          'diverged',
          shown[0]!,
          shown.slice(1),
          `after convergence, reads of ${JSON.stringify(key)} answered ${[...answers.keys()].join(', ')} (${finals.length} reads by ${new Set(finals.map((r) => r.process)).size} processes)`,
        ),
      );
    }
  }

  private returnedWrite(read: HistoryOp): HistoryOp | undefined {
    return read.version === null ? undefined : this.writes.get(read.version);
  }

  private violation(
    check: HistoryCheck,
    kind: HistoryViolationKind,
    read: HistoryOp,
    evidence: HistoryOp[],
    detail: string,
  ): HistoryViolation {
    const message = `${check} (${kind}): ${read.process} read ${JSON.stringify(read.key)} at ${this.time(read.invokedAt)}–${this.time(read.completedAt)} and ${detail}`;
    return { check, kind, key: read.key, process: read.process, ops: [read, ...evidence], message };
  }

  /** A time relative to the history's first operation, for messages. */
  private time(at: number): string {
    return `+${(at - this.origin).toFixed(1)} ms`;
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
