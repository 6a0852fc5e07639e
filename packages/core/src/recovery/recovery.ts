import type { StoredValue } from '../backend.js';
import { BackendUnavailableError, toError } from '../errors.js';
import type { JournalHealth, StoreEmitter } from '../events.js';
import { fitsBackend } from '../kit/keys.js';
import type { Logger } from '../logger.js';
import type { NoteWrite, OperationSpec } from '../routing/call.js';
import type { Member } from '../routing/member.js';
import { encodeTombstone, stampOf } from '../values/envelope.js';
import type { HybridClock } from './hlc.js';
import { Journal } from './journal.js';
import {
  HEALTHY_REPLAY_DELAY_MS,
  REPLAY_BATCH_KEYS,
  type ResolvedRecoveryOptions,
  TOMBSTONE_TTL_MS,
} from './options.js';
import { type AppliedKey, type ReplayReport, type ReplayTarget, replayJournal } from './replay.js';
import { Superseded } from './superseded.js';

export interface RecoveryHost {
  readonly members: readonly Member[];
  readonly events: StoreEmitter;
  readonly logger: Logger;
  readonly clock: HybridClock;
  /** Every key of the store starts with it. */
  readonly prefix: string;
  readonly options: ResolvedRecoveryOptions;
}

/** Per backend: the pending replay timer, and whether a replay runs. */
interface ReplayState {
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  again: boolean;
}

/**
 * No stale read after an outage: the store's side of recovery.
 *
 * Every write a backend did not take — passed over while its breaker was open or
 * its connection down, a failed or timed-out attempt, a refused write, or a key
 * it may not serve yet — goes into that backend's journal (`passedOver`). While
 * a key is journaled the backend serves neither reads nor writes of it (the
 * attempt checks `journal.covers`), so the next backend, which took the newest
 * write, answers. When the backend serves again (`recovered`), or shortly after
 * a failed attempt while it stays healthy, the journal is replayed into it
 * (replay.ts), the replayed keys' copies further down the chain are removed so a
 * later outage cannot serve them — from the moment the target serves a key again
 * until that removal, those copies read as misses (superseded.ts) — and one
 * `reconciled` event and log line report it.
 */
export class Recovery {
  private readonly states = new Map<Member, ReplayState>();
  private closed = false;

  constructor(private readonly host: RecoveryHost) {
    for (const member of host.members) {
      member.journal = new Journal(host.options.maxJournalKeys);
      member.superseded = new Superseded(host.options.maxJournalKeys);
      this.states.set(member, { timer: undefined, running: false, again: false });
    }
  }

  /** `member` did not take the write `input` of `spec`. */
  passedOver<I>(member: Member, spec: OperationSpec<I, unknown, unknown>, input: I): void {
    if (!this.host.options.journal || this.closed || spec.writes === undefined) return;
    const now = Date.now();
    let deleteStamp: number | undefined;
    const note: NoteWrite = (key, value, ttlMs) => {
      let overflowed: boolean;
      if (value === undefined) {
        deleteStamp ??= this.host.clock.now();
        overflowed = member.journal.record(key, {
          op: 'delete',
          stamp: deleteStamp,
          expiresAt: undefined,
        });
      } else {
        const stamp = stampOf(value) ?? this.host.clock.now();
        const expiresAt = ttlMs === undefined ? undefined : now + ttlMs;
        overflowed = member.journal.record(key, { op: 'set', stamp, expiresAt });
      }
      if (overflowed) this.reportOverflow(member);
    };
    spec.writes(input, note);
    this.schedule(member, HEALTHY_REPLAY_DELAY_MS);
  }

  /** `member` missed a `clear()` of `prefix`. */
  passedOverClear(member: Member, prefix: string): void {
    if (!this.host.options.journal || this.closed) return;
    member.journal.recordClear(prefix, this.host.clock.now());
    this.schedule(member, HEALTHY_REPLAY_DELAY_MS);
  }

  /** The backend named `name` serves again after an outage: replay before it serves those keys. */
  onRecovered(name: string): void {
    const member = this.host.members.find((m) => m.name === name);
    if (member) this.schedule(member, 0);
  }

  /** Each backend's journal, in chain order: read-only, for health checks and metrics. */
  journals(): JournalHealth[] {
    return this.host.members.map(({ name, journal }) => ({
      backend: name,
      keys: journal.size,
      overflowed: journal.overflowed,
    }));
  }

  close(): void {
    this.closed = true;
    for (const [member, state] of this.states) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      member.journal.reset();
      member.superseded.reset();
    }
  }

  /**
   * Replays `member`'s journal after `delayMs`; at most one replay at a time. While
   * the backend cannot serve, the check repeats every `HEALTHY_REPLAY_DELAY_MS`
   * (its recovery, `onRecovered`, starts the replay at once): a backend that comes
   * up without a recorded outage, such as one still connecting at startup, is
   * replayed into too.
   */
  private schedule(member: Member, delayMs: number): void {
    const state = this.states.get(member)!;
    if (this.closed || !member.journal.active) return;
    if (state.running) {
      state.again = true;
      return;
    }
    if (state.timer) {
      if (delayMs > 0) return;
      clearTimeout(state.timer);
    }
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.replay(member, state);
    }, delayMs);
    state.timer.unref();
  }

  private async replay(member: Member, state: ReplayState): Promise<void> {
    if (this.closed || !member.journal.active) return;
    if (!member.usable) {
      this.schedule(member, HEALTHY_REPLAY_DELAY_MS);
      return;
    }
    state.running = true;
    state.again = false;
    const { options } = this.host;
    const below = this.membersBelow(member);
    const served: AppliedKey[] = [];
    try {
      const report = await replayJournal({
        journal: member.journal,
        target: this.boundedTarget(member),
        readCurrent: (keys) => this.readCurrent(member, keys),
        clock: this.host.clock,
        namespacePrefix: this.host.prefix,
        onOverflow: options.onOverflow,
        tombstoneTtlMs: TOMBSTONE_TTL_MS,
        batchSize: REPLAY_BATCH_KEYS,
        // Before the target serves a key again, the copies below it stop being served.
        beforeServing: (keys) => {
          for (const { key, stamp } of keys) {
            served.push({ key, stamp });
            member.superseded.settled(key, stamp);
            for (const m of below) m.superseded.supersede(key, stamp);
          }
        },
        beforeServingAll: (stamp) => {
          for (const m of below)
            if (!m.backend.capabilities.shared) m.superseded.supersedeAll(stamp);
        },
      });
      if (this.closed) return;
      this.report(member, report);
    } catch (error) {
      if (this.closed) return;
      this.host.events.emit('error', {
        backend: member.name,
        operation: 'replay',
        error: toError(error),
      });
      state.again = true;
    } finally {
      state.running = false;
    }
    // What was replayed before an error is served by the target too.
    if (!this.closed) await this.removeCopiesBelow(member, below, served);
    if (state.again || member.journal.active) this.schedule(member, HEALTHY_REPLAY_DELAY_MS);
  }

  /** The target's calls, each bounded and counted on its breaker like any other. */
  private boundedTarget(member: Member): ReplayTarget {
    const budget = replayBudget(member);
    const { backend } = member;
    const conditional = backend.conditional;
    return {
      capabilities: backend.capabilities,
      conditional: conditional && {
        setIfOlder: (entries) => member.call(() => conditional.setIfOlder(entries), budget),
      },
      setMany: (entries) => member.call((b) => b.setMany(entries), budget),
      deleteMany: (keys) => member.call((b) => b.deleteMany(keys), budget),
      clear: (prefix) => member.call((b) => b.clear(prefix), budget),
    };
  }

  /** The values the first other usable backend holds now: the one that took the writes. */
  private readCurrent(
    target: Member,
    keys: readonly string[],
  ): Promise<Array<StoredValue | undefined>> {
    const source = this.host.members.find(
      (m) => m !== target && m.usable && !m.journal.coversAny(keys),
    );
    if (source === undefined) {
      return Promise.reject(
        new BackendUnavailableError(
          target.name,
          'no other backend to read the current values from',
        ),
      );
    }
    return source.call((b) => b.getMany(keys), replayBudget(source));
  }

  private membersBelow(target: Member): readonly Member[] {
    return this.host.members.slice(this.host.members.indexOf(target) + 1);
  }

  /**
   * Copies of replayed keys further down the chain are older than what the target
   * now serves: from the moment it serves them they read as misses (superseded.ts),
   * and here they are removed, so that they take no room and the superseded list
   * stays short. A member that could not be reached keeps hiding its copies.
   *
   * After an overflow the keys are unknown: a private fallback keeps hiding every
   * copy older than the overflow's resolution, until the copies expire or are
   * evicted. Clearing its namespace instead would also remove the writes it took
   * since, when the target failed again, and lose them.
   */
  private async removeCopiesBelow(
    target: Member,
    below: readonly Member[],
    served: readonly AppliedKey[],
  ): Promise<void> {
    if (served.length === 0) return;
    for (const member of below) {
      if (!member.usable) continue;
      try {
        await this.removeCopies(target, member, served);
        for (const { key, stamp } of served) member.superseded.settled(key, stamp);
      } catch (error) {
        this.host.events.emit('error', {
          backend: member.name,
          operation: 'replay',
          error: toError(error),
        });
      }
    }
  }

  /**
   * Each copy no newer than the write replayed is replaced by a tombstone one tick
   * above that write's stamp: a conditional write replaces only a lower stamp, so a
   * newer write — another process's on a shared fallback (which that process has
   * yet to replay), or this process's own, taken when the target failed again — is
   * kept. A private fallback without conditional writes holds only this process's
   * copies: deleted, except the keys journaled again for the target meanwhile (the
   * fallback holds their newest write). A shared one without conditional writes
   * cannot tell the copies apart, so nothing is removed there: deleting could lose
   * another process's acknowledged write; those copies stay hidden instead.
   */
  private async removeCopies(
    target: Member,
    member: Member,
    applied: readonly AppliedKey[],
  ): Promise<void> {
    const fitting = applied.filter(({ key }) =>
      fitsBackend(key, member.backend.capabilities.maxKeyBytes),
    );
    if (fitting.length === 0) return;
    const budget = replayBudget(member);
    const conditional = member.backend.conditional;
    if (conditional !== undefined) {
      const entries = fitting.map(({ key, stamp }) => ({
        key,
        value: encodeTombstone(stamp + 1),
        ttlMs: TOMBSTONE_TTL_MS,
        stamp: stamp + 1,
      }));
      await member.call(() => conditional.setIfOlder(entries), budget);
      return;
    }
    if (member.backend.capabilities.shared) return;
    // Filtered just before the call: a key journaled again has its newest write here.
    const keys = fitting.filter(({ key }) => !target.journal.covers(key)).map(({ key }) => key);
    if (keys.length > 0) await member.call((b) => b.deleteMany(keys), budget);
  }

  private report(member: Member, report: ReplayReport): void {
    const { keys, deleted, skipped, durationMs } = report;
    this.host.events.emit('reconciled', {
      backend: member.name,
      keys,
      deleted,
      skipped,
      durationMs,
    });
    const overflow = report.clearedNamespace
      ? '; its journal had overflowed, so the namespace was cleared on it'
      : report.acceptedStale
        ? '; its journal had overflowed, keys written during the outage may read older values'
        : '';
    this.host.logger.info(
      { event: 'reconciled', backend: member.name, keys, deleted, skipped, durationMs },
      `backend "${member.name}" reconciled: ${keys} keys replayed (${deleted} deleted, ${skipped} newer there) in ${durationMs} ms${overflow}`,
    );
  }

  private reportOverflow(member: Member): void {
    const limit = this.host.options.maxJournalKeys;
    this.host.events.emit('journalOverflow', { backend: member.name, limit });
    this.host.logger.warn(
      { event: 'journalOverflow', backend: member.name, limit },
      `journal of backend "${member.name}" overflowed (over ${limit} keys); on recovery ` +
        (this.host.options.onOverflow === 'clear'
          ? 'the namespace is cleared on it before it serves'
          : 'it serves as it is and may return older values'),
    );
  }
}

/** Replay calls carry up to a batch of keys: more time than one key's call. */
function replayBudget(member: Member): number {
  return Math.max(member.timeoutMs * 4, 2000);
}
