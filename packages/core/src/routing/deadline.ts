import { LOOP_STALL_MS } from '../kit/loop.js';

/**
 * One timer for every in-flight operation instead of one `setTimeout` per call.
 *
 * A resilience layer sits on every cache call, so a timer per call (allocate,
 * arm, clear) is a measurable share of a sub-10-µs Redis round trip. Deadlines
 * are kept in a list sorted by expiry; almost every call uses the same budget,
 * so new entries append at the tail in O(1), and a single timer is armed for
 * the earliest expiry. Completing a call unlinks it in O(1) and never touches
 * the timer; when the timer fires it expires whatever is due and re-arms for
 * the next entry. An emptied queue leaves its (unref'd) timer to lapse rather
 * than clearing it, so a caller issuing one request at a time does not pay for
 * a new timer per request.
 *
 * A deadline means the backend did not answer, so nothing expires before the I/O
 * already waiting has been read: timers run before the poll phase that reads
 * sockets, so when the timer fires late (the loop was busy, replies may be waiting
 * unread) the queue expires the due entries one `setImmediate` turn later (after
 * that poll phase), and those whose answer arrived meanwhile have been cancelled by
 * then. A timer on time finds the loop was idle in its poll phase until then. When the timer fired more than `LOOP_STALL_MS` late, the event
 * loop itself was blocked (kit/loop.ts) and the entries expired then are told so
 * (`stalled`): the backend had no fair chance to answer.
 */

/**
 * A pending deadline. Subclass it to carry the guarded call's own state, so a
 * call costs one object rather than an entry plus a callback closure.
 */
export abstract class DeadlineEntry {
  /** @internal */ prev: DeadlineEntry | undefined = undefined;
  /** @internal */ next: DeadlineEntry | undefined = undefined;
  /** @internal */ queue: DeadlineQueue | undefined = undefined;
  /** @internal */ expiresAt = 0;

  /**
   * Called once when the deadline passes before `cancel()`; `stalled` when the event
   * loop was blocked past it, so the time ran out in this process, not in the backend.
   */
  protected abstract expire(stalled: boolean): void;

  /** Stop the deadline; safe to call more than once. */
  cancel(): void {
    this.queue?.unlink(this);
  }

  /** @internal */
  fire(stalled: boolean): void {
    this.expire(stalled);
  }
}

/** What `add()` returns: something to cancel. */
export interface Deadline {
  cancel(): void;
}

class CallbackEntry extends DeadlineEntry {
  constructor(private readonly onExpire: (stalled: boolean) => void) {
    super();
  }
  protected expire(stalled: boolean): void {
    this.onExpire(stalled);
  }
}

export class DeadlineQueue {
  private head: DeadlineEntry | undefined;
  private tail: DeadlineEntry | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** The turn in which due entries expire, once the pending I/O was read. */
  private expiring: NodeJS.Immediate | undefined;
  /** The timer that scheduled `expiring` fired late: the loop was blocked. */
  private stalled = false;
  /** When that timer fired: `expiring` expires the entries due by then. */
  private dueBy = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `onExpire` once, `ms` from now, unless cancelled before. */
  add(ms: number, onExpire: (stalled: boolean) => void): Deadline {
    return this.schedule(new CallbackEntry(onExpire), ms);
  }

  /** Expires `entry` `ms` from now unless it is cancelled before. */
  schedule<E extends DeadlineEntry>(entry: E, ms: number): E {
    return this.scheduleAt(entry, this.now() + ms);
  }

  /** Expires `entry` at `at` (ms, on this queue's clock) unless it is cancelled before. */
  scheduleAt<E extends DeadlineEntry>(entry: E, at: number): E {
    entry.expiresAt = at;
    entry.queue = this;
    this.insert(entry);
    if (entry.expiresAt < this.timerAt) this.arm(entry.expiresAt);
    return entry;
  }

  /** Number of pending deadlines (for tests and health). */
  get size(): number {
    let n = 0;
    for (let e = this.head; e; e = e.next) n++;
    return n;
  }

  /** Drops every pending deadline without calling it and stops the timer. */
  clear(): void {
    let entry = this.head;
    while (entry) {
      const next: DeadlineEntry | undefined = entry.next;
      entry.queue = entry.prev = entry.next = undefined;
      entry = next;
    }
    this.head = this.tail = undefined;
    this.disarm();
    if (this.expiring) clearImmediate(this.expiring);
    this.expiring = undefined;
    this.stalled = false;
  }

  /**
   * Expires every pending deadline now, earliest first, and stops the timer: how
   * the store's `close()` settles calls still waiting on a backend that never answers.
   */
  expireAll(): void {
    while (this.head) {
      const due = this.head;
      this.unlink(due);
      due.fire(false);
    }
    this.disarm();
    if (this.expiring) clearImmediate(this.expiring);
    this.expiring = undefined;
  }

  /** @internal */
  unlink(entry: DeadlineEntry): void {
    if (entry.queue !== this) return;
    entry.queue = undefined;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  private insert(entry: DeadlineEntry): void {
    // Walk back from the tail: with equal budgets the new entry belongs there.
    let after = this.tail;
    while (after && after.expiresAt > entry.expiresAt) after = after.prev;
    entry.prev = after;
    entry.next = after ? after.next : this.head;
    if (entry.next) entry.next.prev = entry;
    else this.tail = entry;
    if (after) after.next = entry;
    else this.head = entry;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.onTimer, Math.max(0, at - this.now()));
    // Pending work keeps the process alive through its own sockets; a deadline
    // alone must not (nor delay exit after the last call finished).
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private readonly onTimer = (): void => {
    const armedFor = this.timerAt;
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const head = this.head;
    if (!head) return;
    const now = this.now();
    if (head.expiresAt > now) {
      this.arm(head.expiresAt);
      return;
    }
    this.dueBy = now;
    if (now <= armedFor && this.expiring === undefined) {
      // On time: the loop was waiting in its poll phase until now, so every reply
      // that came before the deadline has been read already.
      this.expireDue();
      return;
    }
    // Late: the loop was busy, and replies may be waiting unread (see above).
    if (now - armedFor > LOOP_STALL_MS) this.stalled = true;
    this.expiring ??= setImmediate(this.expireDue);
  };

  /** Expires what was due when the timer fired, now that a poll phase has read the waiting I/O. */
  private readonly expireDue = (): void => {
    const now = this.now();
    if (now - this.dueBy > LOOP_STALL_MS) {
      // Blocked again between the timer and this turn: replies may have arrived
      // meanwhile, unread. One more poll phase first.
      this.stalled = true;
      this.dueBy = now;
      this.expiring = setImmediate(this.expireDue);
      return;
    }
    this.expiring = undefined;
    const stalled = this.stalled;
    this.stalled = false;
    // Only what was due before that poll phase: an entry that fell due since (a call
    // started after the timer, then a block) waits for a poll phase of its own.
    while (this.head && this.head.expiresAt <= this.dueBy) {
      const due = this.head;
      this.unlink(due);
      due.fire(stalled);
    }
    if (this.head && this.head.expiresAt < this.timerAt) this.arm(this.head.expiresAt);
  };
}
