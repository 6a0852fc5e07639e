/**
 * Process-local read-your-writes checker for concurrent load.
 *
 * Every value the load writes is `{ k: key, v: version, p: process }` with a version
 * drawn from one monotonically increasing counter; deletes get a version too, so every
 * write has an id. Values another process wrote are left to the history checker.
 *
 * With writes and reads overlapping, "the last write" is not one value: two overlapping
 * writes may land in either order. What is certain is that a write `w` is *superseded*
 * for a read `r` when another write of the same key started after `w` was acknowledged
 * and was itself acknowledged before `r` started. A read that returns the value of a
 * superseded write returned an older value than one the process knows it wrote (or one
 * it deleted). Values of writes still in flight, or acknowledged after the read started,
 * are always admissible. A miss is never flagged: a cache may lose entries (eviction,
 * a restarted server without persistence), and the store promises no more than that.
 *
 * Timestamps are taken by the caller around its own `await`, so a write's acknowledgement
 * is recorded no earlier, and a read's start no later, than they really happened: every
 * rounding goes in the direction that admits more values, never fewer.
 */

export type ViolationKind = 'stale' | 'resurrected' | 'foreign' | 'unknown-version' | 'malformed';

export interface Violation {
  readonly kind: ViolationKind;
  readonly key: string;
  /** Version the read returned (undefined when it was not one of ours). */
  readonly returned: number | undefined;
  readonly readStartedAt: number;
  readonly readEndedAt: number;
}

/** A read in progress: what was known to be acknowledged when it started. */
export interface PendingRead {
  readonly key: string;
  readonly startedAt: number;
  /** Latest start time among the key's writes acknowledged before the read started. */
  readonly floor: number;
  /** Whether the write behind `floor` was a delete. */
  readonly floorIsDelete: boolean;
}

interface WriteRecord {
  readonly isDelete: boolean;
  readonly startedAt: number;
  /** Undefined while in flight, and forever for a write that failed (it may still land). */
  ackedAt: number | undefined;
}

interface KeyState {
  floor: number;
  floorIsDelete: boolean;
}

export class ReadYourWritesChecker {
  readonly violations: Violation[] = [];
  private nextVersion = 1;
  private readonly writes = new Map<number, WriteRecord>();
  private readonly keys = new Map<string, KeyState>();

  /** Registers a write about to be sent; returns its version (the value to write for a set). */
  writeStarted(isDelete: boolean, at: number): number {
    const version = this.nextVersion++;
    this.writes.set(version, { isDelete, startedAt: at, ackedAt: undefined });
    return version;
  }

  writeAcknowledged(key: string, version: number, at: number): void {
    const write = this.writes.get(version);
    if (!write) throw new Error(`unknown write version ${version}`);
    write.ackedAt = at;
    const state = this.keys.get(key);
    if (!state) {
      this.keys.set(key, { floor: write.startedAt, floorIsDelete: write.isDelete });
    } else if (write.startedAt > state.floor) {
      state.floor = write.startedAt;
      state.floorIsDelete = write.isDelete;
    }
  }

  readStarted(key: string, at: number): PendingRead {
    const state = this.keys.get(key);
    return {
      key,
      startedAt: at,
      floor: state?.floor ?? Number.NEGATIVE_INFINITY,
      floorIsDelete: state?.floorIsDelete ?? false,
    };
  }

  /** Checks what a read returned; records and returns a violation, if any. */
  readFinished(read: PendingRead, value: unknown, at: number): Violation | undefined {
    if (value === undefined) return undefined;
    const violation = this.judge(read, value, at);
    if (violation) this.violations.push(violation);
    return violation;
  }

  private judge(read: PendingRead, value: unknown, at: number): Violation | undefined {
    const base = { key: read.key, readStartedAt: read.startedAt, readEndedAt: at };
    if (!isLoadValue(value)) return { ...base, kind: 'malformed', returned: undefined };
    if (value.k !== read.key) return { ...base, kind: 'foreign', returned: value.v };
    const write = this.writes.get(value.v);
    if (!write || write.isDelete) return { ...base, kind: 'unknown-version', returned: value.v };
    if (write.ackedAt === undefined || write.ackedAt >= read.floor) return undefined;
    return { ...base, kind: read.floorIsDelete ? 'resurrected' : 'stale', returned: value.v };
  }
}

/** The shape of every value the load writes. */
export interface LoadValue {
  readonly k: string;
  readonly v: number;
}

function isLoadValue(value: unknown): value is LoadValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { k?: unknown }).k === 'string' &&
    typeof (value as { v?: unknown }).v === 'number'
  );
}
