import type { Backend, ConditionalEntry, StoredValue } from '../backend.js';
import { fitsBackend } from '../kit/keys.js';
import { storedValueFits } from '../kit/stored-value.js';
import { encodeTombstone, isTombstone, stampOf } from '../values/envelope.js';
import type { HybridClock } from './hlc.js';
import type { Journal, JournalEntry } from './journal.js';

/** What the store does when a journal overflowed and can no longer name the changed keys. */
export type OnOverflow = 'clear' | 'accept-stale';

/** What the replay needs of the backend that missed the writes. */
export type ReplayTarget = Pick<
  Backend,
  'capabilities' | 'conditional' | 'setMany' | 'deleteMany' | 'clear'
>;

export interface ReplayOptions {
  readonly journal: Journal;
  /** The backend that missed the journaled writes. */
  readonly target: ReplayTarget;
  /** The current values of `keys`, from the backend that holds them now (a fallback). */
  readCurrent(keys: readonly string[]): Promise<ReadonlyArray<StoredValue | null | undefined>>;
  /** Advanced past every stamp read. */
  readonly clock: HybridClock;
  /** Every key of the store starts with it; cleared on the target after an overflow with 'clear'. */
  readonly namespacePrefix: string;
  readonly onOverflow: OnOverflow;
  /** How long a replayed delete's tombstone holds off older writes. */
  readonly tombstoneTtlMs: number;
  /** Keys read and written per round trip. */
  readonly batchSize: number;
  /** Wall clock (ms), injectable for tests. */
  readonly now?: () => number;
  /**
   * Called with each applied batch just before its keys leave the journal (and the
   * target serves them): every key with the stamp of the journaled write replayed.
   * A key whose entry a newer write replaced meanwhile stays in the journal.
   */
  readonly beforeServing?: (applied: readonly AppliedKey[]) => void;
  /**
   * Called after an overflow was resolved on the target, just before it serves every
   * key again: `stamp` is above every write made before the resolution began.
   */
  readonly beforeServingAll?: (stamp: number) => void;
}

/** A key whose journaled write was replayed, and that write's stamp. */
export interface AppliedKey {
  readonly key: string;
  readonly stamp: number;
}

export interface ReplayReport {
  /** Keys replayed (written back or deleted). */
  keys: number;
  /** Of those, deleted (a tombstone, or a plain delete on a backend without conditional writes). */
  deleted: number;
  /** Keys the target already held at a newer stamp, left as they were. */
  skipped: number;
  /** The journal had overflowed and the namespace was cleared on the target. */
  clearedNamespace: boolean;
  /** The journal had overflowed and its changes were accepted as possibly stale. */
  acceptedStale: boolean;
  /** True when the journal was empty at the end (new writes may have been journaled meanwhile). */
  complete: boolean;
  durationMs: number;
}

/** One key's replay: its value written back, or a tombstone (a conditional delete). */
export interface PlannedWrite {
  readonly key: string;
  readonly entry: JournalEntry;
  readonly write: ConditionalEntry;
  readonly deletes: boolean;
}

/**
 * What to write for each journaled key, given the value the backend serving now
 * holds (`current[i]` for `keys[i]`).
 *
 * A key is written back only with the value of the journaled write itself (same
 * stamp) and the rest of its TTL. Anything else becomes a tombstone at the
 * journaled write's stamp — a delete, a value gone from the fallback (evicted,
 * expired), a value whose TTL ran out, a value the target cannot take, or a newer
 * value from another process, which that process replays itself: the target
 * then answers a miss for the key (cold), never the older value it held.
 */
export function planReplay(
  keys: readonly string[],
  entries: readonly JournalEntry[],
  current: ReadonlyArray<StoredValue | null | undefined>,
  now: number,
  options: { tombstoneTtlMs: number; maxValueBytes: number; clock: HybridClock },
): PlannedWrite[] {
  return keys.map((key, i) => {
    const entry = entries[i]!;
    const value = current[i];
    const stamp = value == null ? undefined : stampOf(value);
    if (stamp !== undefined) options.clock.observe(stamp);
    const remainingMs = entry.expiresAt === undefined ? undefined : entry.expiresAt - now;
    const writeBack =
      entry.op === 'set' &&
      value != null &&
      stamp === entry.stamp &&
      !isTombstone(value) &&
      (remainingMs === undefined || remainingMs > 0) &&
      storedValueFits(value, options.maxValueBytes);
    if (writeBack) {
      const ttlMs = remainingMs === undefined ? undefined : Math.ceil(remainingMs);
      return { key, entry, deletes: false, write: { key, value, ttlMs, stamp } };
    }
    return {
      key,
      entry,
      deletes: true,
      write: {
        key,
        value: encodeTombstone(entry.stamp),
        ttlMs: options.tombstoneTtlMs,
        stamp: entry.stamp,
      },
    };
  });
}

/**
 * Applies a journal to the backend that missed its writes, before that backend
 * serves those keys again: an overflow first (the namespace cleared, or
 * staleness accepted), then a cleared prefix, then every key in batches. A key
 * leaves the journal only once its write was applied, and only if no newer write
 * replaced its entry meanwhile; writes journaled during the replay are replayed
 * in a further pass. Rejects with the first error of the target or the source;
 * what was applied by then has left the journal, the rest stays.
 */
export async function replayJournal(options: ReplayOptions): Promise<ReplayReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const { journal, target } = options;
  const report: ReplayReport = {
    keys: 0,
    deleted: 0,
    skipped: 0,
    clearedNamespace: false,
    acceptedStale: false,
    complete: false,
    durationMs: 0,
  };
  if (journal.overflowed) {
    journal.resolvingOverflow();
    // Writes journaled from here on are stamped above it, and replayed after.
    const resolvedAt = options.clock.now();
    if (options.onOverflow === 'clear') {
      await target.clear(options.namespacePrefix);
      report.clearedNamespace = true;
    } else {
      report.acceptedStale = true;
    }
    options.beforeServingAll?.(resolvedAt);
    if (!journal.resolvedOverflow()) return finish(report, journal, now, started);
  }
  const cleared = journal.clearedPrefix;
  if (cleared !== undefined) {
    await target.clear(cleared.prefix);
    journal.appliedClear(cleared);
  }
  // Writes journaled while a pass runs are picked up by the next one.
  for (let pass = 0; pass < 3 && journal.size > 0; pass++) {
    const keys = journal.keys();
    for (let start = 0; start < keys.length; start += options.batchSize) {
      await replayBatch(options, keys.slice(start, start + options.batchSize), now, report);
    }
  }
  return finish(report, journal, now, started);
}

async function replayBatch(
  options: ReplayOptions,
  candidates: readonly string[],
  now: () => number,
  report: ReplayReport,
): Promise<void> {
  const { journal, target } = options;
  const keys: string[] = [];
  const entries: JournalEntry[] = [];
  for (const key of candidates) {
    const entry = journal.get(key);
    if (entry === undefined) continue;
    // A key too long for the target is never served by it: nothing to replay.
    if (!fitsBackend(key, target.capabilities.maxKeyBytes)) {
      journal.applied(key, entry);
      continue;
    }
    keys.push(key);
    entries.push(entry);
  }
  if (keys.length === 0) return;
  const current = await options.readCurrent(keys);
  const plan = planReplay(keys, entries, current, now(), {
    tombstoneTtlMs: options.tombstoneTtlMs,
    maxValueBytes: target.capabilities.maxValueBytes,
    clock: options.clock,
  });
  const written = await apply(target, plan);
  options.beforeServing?.(
    plan.map((planned) => ({ key: planned.key, stamp: planned.entry.stamp })),
  );
  plan.forEach((planned, i) => {
    journal.applied(planned.key, planned.entry);
    report.keys++;
    if (!written[i]) report.skipped++;
    else if (planned.deletes) report.deleted++;
  });
}

/**
 * Conditional writes when the target offers them; otherwise plain writes and
 * deletes, which may overwrite a newer value written meanwhile by another process.
 */
async function apply(target: ReplayTarget, plan: readonly PlannedWrite[]): Promise<boolean[]> {
  if (target.conditional) return target.conditional.setIfOlder(plan.map((p) => p.write));
  const sets = plan.filter((p) => !p.deletes).map((p) => p.write);
  const deletes = plan.filter((p) => p.deletes).map((p) => p.key);
  if (sets.length > 0) await target.setMany(sets);
  if (deletes.length > 0) await target.deleteMany(deletes);
  return plan.map(() => true);
}

function finish(
  report: ReplayReport,
  journal: Journal,
  now: () => number,
  started: number,
): ReplayReport {
  report.complete = !journal.active;
  report.durationMs = now() - started;
  return report;
}
