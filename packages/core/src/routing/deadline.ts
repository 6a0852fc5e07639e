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

  /** Called once when the deadline passes before `cancel()`. */
  protected abstract expire(): void;

  /** Stop the deadline; safe to call more than once. */
  cancel(): void {
    this.queue?.unlink(this);
  }

  /** @internal */
  fire(): void {
    this.expire();
  }
}

/** What `add()` returns: something to cancel. */
export interface Deadline {
  cancel(): void;
}

class CallbackEntry extends DeadlineEntry {
  constructor(private readonly onExpire: () => void) {
    super();
  }
  protected expire(): void {
    this.onExpire();
  }
}

export class DeadlineQueue {
  private head: DeadlineEntry | undefined;
  private tail: DeadlineEntry | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `onExpire` once, `ms` from now, unless cancelled before. */
  add(ms: number, onExpire: () => void): Deadline {
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
  }

  /**
   * Expires every pending deadline now, earliest first, and stops the timer: how
   * the store's `close()` settles calls still waiting on a backend that never answers.
   */
  expireAll(): void {
    while (this.head) {
      const due = this.head;
      this.unlink(due);
      due.fire();
    }
    this.disarm();
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
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    while (this.head && this.head.expiresAt <= now) {
      const due = this.head;
      this.unlink(due);
      due.fire();
    }
    if (this.head) this.arm(this.head.expiresAt);
  };
}
