import type { History, HistoryOp, HistoryOutcome, ReadAnomaly, WriteId } from './history.js';

/**
 * The value every recorded set stores: the key it belongs to, and who wrote it. A read
 * names the write it saw from these alone, whichever process wrote it.
 */
export interface HistoryValue {
  readonly k: string;
  /** The writer's sequence number, unique within its process. */
  readonly v: number;
  /** The writing process. */
  readonly p: string;
}

/** The calls a recorded operation makes; a `ResilientStore` is one. */
export interface HistoryStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: HistoryValue): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** An operation invoked and not yet completed. */
export interface PendingOp {
  readonly kind: HistoryOp['kind'];
  readonly key: string;
  readonly invokedAt: number;
  /** A write's id; null for a read. */
  readonly version: WriteId | null;
  /** What a set stores (a delete and a read carry one too, unused). */
  readonly value: HistoryValue;
}

/** Milliseconds since the epoch, sub-millisecond, on one clock for every process of the machine. */
export function historyNow(): number {
  return performance.timeOrigin + performance.now();
}

export function writeIdOf(process: string, sequence: number): WriteId {
  return `${process}:${sequence}`;
}

/**
 * Records one process's operations as a {@link History}. Either wrap each call
 * (`get`, `set`, `delete` below), or mark its ends with `invoke` and `complete` when the
 * call is made elsewhere (the load generator does, to share its write numbers).
 */
export class HistoryRecorder {
  private readonly ops: HistoryOp[] = [];
  private nextSequence = 1;

  /** `process` names this process in the history; its pid unless given. */
  constructor(readonly process: string = String(globalThis.process.pid)) {}

  /**
   * Marks a call as made. A write gets an id from `sequence` (its number in this
   * process; the recorder's own counter unless given — use one or the other).
   */
  invoke(kind: HistoryOp['kind'], key: string, sequence?: number): PendingOp {
    const v = kind === 'read' ? 0 : (sequence ?? this.nextSequence++);
    return {
      kind,
      key,
      invokedAt: historyNow(),
      version: kind === 'read' ? null : writeIdOf(this.process, v),
      value: { k: key, v, p: this.process },
    };
  }

  /** Marks a call as settled; for a read that answered, `returned` is what it returned. */
  complete(pending: PendingOp, outcome: HistoryOutcome, returned?: unknown, error?: unknown): void {
    const completedAt = historyNow();
    const base = {
      process: this.process,
      kind: pending.kind,
      key: pending.key,
      invokedAt: pending.invokedAt,
      completedAt,
      outcome,
      ...(error === undefined ? {} : { error: describe(error) }),
    };
    if (pending.kind !== 'read' || outcome === 'error') {
      this.ops.push({ ...base, version: pending.version });
      return;
    }
    const { version, anomaly } = readVersion(pending.key, returned);
    this.ops.push({ ...base, version, ...(anomaly === undefined ? {} : { anomaly }) });
  }

  async get(store: HistoryStore, key: string): Promise<unknown> {
    return this.record(this.invoke('read', key), () => store.get(key));
  }

  async set(store: HistoryStore, key: string): Promise<void> {
    const pending = this.invoke('set', key);
    await this.record(pending, () => store.set(key, pending.value));
  }

  async delete(store: HistoryStore, key: string): Promise<void> {
    await this.record(this.invoke('delete', key), () => store.delete(key));
  }

  /** Everything recorded so far, as plain data. */
  history(): History {
    return { ops: [...this.ops] };
  }

  /** Runs `call` for an invoked operation and completes it with the call's outcome; rethrows. */
  async record<T>(pending: PendingOp, call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.complete(pending, 'error', undefined, error);
      throw error;
    }
    this.complete(pending, 'ok', result);
    return result;
  }
}

/** Which write a read's answer came from; a miss is null. */
export function readVersion(
  key: string,
  returned: unknown,
): { version: WriteId | null; anomaly?: ReadAnomaly } {
  if (returned === undefined || returned === null) return { version: null };
  if (!isHistoryValue(returned)) return { version: null, anomaly: 'malformed' };
  const version = writeIdOf(returned.p, returned.v);
  return returned.k === key ? { version } : { version, anomaly: 'foreign' };
}

export function isHistoryValue(value: unknown): value is HistoryValue {
  if (typeof value !== 'object' || value === null) return false;
  const { k, v, p } = value as Partial<Record<keyof HistoryValue, unknown>>;
  return typeof k === 'string' && typeof v === 'number' && typeof p === 'string';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
