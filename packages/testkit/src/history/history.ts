/**
 * A history: every operation of every process on a set of keys, as plain data, so a
 * child process can send its own back (`process.send`, JSON) and the parent can check
 * them together.
 *
 * Times are milliseconds since the Unix epoch with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`): one clock for every process on the
 * machine, which is what comparing operations across processes needs.
 */

/** A write's identity, unique across processes: `<process>:<sequence>`. */
export type WriteId = string;

export type HistoryOpKind = 'read' | 'set' | 'delete';

/**
 * How an operation ended for its caller. `ok`: it answered. `error`: it rejected; a
 * write that rejected may still have been applied (a timed-out command can land), so
 * its value stays a possible answer for every later read and it supersedes nothing.
 */
export type HistoryOutcome = 'ok' | 'error';

/** What a read returned, when it was not one of the history's own values. */
export type ReadAnomaly = 'foreign' | 'malformed';

export interface HistoryOp {
  /** Which process made the call (a name, or its pid). */
  readonly process: string;
  readonly kind: HistoryOpKind;
  readonly key: string;
  /** When the call was made and when it settled (see the clock above). */
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly outcome: HistoryOutcome;
  /**
   * A write: the id it wrote (a delete has one too, so every write can be named).
   * A read that answered: the id of the write whose value it returned, or null for a miss.
   */
  readonly version: WriteId | null;
  /** A read that returned a value no write of this key in the history could have made. */
  readonly anomaly?: ReadAnomaly;
  /** Why the call rejected, for the report. */
  readonly error?: string;
}

export interface History {
  readonly ops: readonly HistoryOp[];
}

/** One history of several processes' histories (each process sends its own). */
export function mergeHistories(...histories: readonly History[]): History {
  return { ops: histories.flatMap((h) => h.ops) };
}

/** Thrown by {@link parseHistory} for data that is not a history. */
export class HistoryFormatError extends Error {
  override readonly name = 'HistoryFormatError';
}

/**
 * Checks that `data` (e.g. a message from a child process, or `JSON.parse` output) is a
 * history, and returns it typed. Throws {@link HistoryFormatError} naming the first bad
 * operation.
 */
export function parseHistory(data: unknown): History {
  if (!isRecord(data) || !Array.isArray(data.ops)) {
    throw new HistoryFormatError('a history is an object with an "ops" array');
  }
  data.ops.forEach((op: unknown, i: number) => {
    const problem = problemOf(op);
    if (problem !== undefined) {
      throw new HistoryFormatError(`operation ${i} of the history: ${problem}`);
    }
  });
  return data as unknown as History;
}

const KINDS: ReadonlySet<unknown> = new Set(['read', 'set', 'delete']);
const OUTCOMES: ReadonlySet<unknown> = new Set(['ok', 'error']);
const ANOMALIES: ReadonlySet<unknown> = new Set([undefined, 'foreign', 'malformed']);

function problemOf(op: unknown): string | undefined {
  if (!isRecord(op)) return 'not an object';
  if (typeof op.process !== 'string') return '"process" is not a string';
  if (!KINDS.has(op.kind)) return `"kind" is ${JSON.stringify(op.kind)}`;
  if (typeof op.key !== 'string') return '"key" is not a string';
  if (!Number.isFinite(op.invokedAt) || !Number.isFinite(op.completedAt)) {
    return '"invokedAt" and "completedAt" must be finite numbers';
  }
  if ((op.completedAt as number) < (op.invokedAt as number)) return 'completed before invoked';
  if (!OUTCOMES.has(op.outcome)) return `"outcome" is ${JSON.stringify(op.outcome)}`;
  if (op.version !== null && typeof op.version !== 'string') return '"version" is not a string';
  if (op.kind !== 'read' && op.version === null) return 'a write without a version';
  if (!ANOMALIES.has(op.anomaly)) return `"anomaly" is ${JSON.stringify(op.anomaly)}`;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
