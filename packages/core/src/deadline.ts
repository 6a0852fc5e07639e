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

/** A pending deadline; call `cancel()` when the guarded work finishes first. */
export interface Deadline {
  cancel(): void;
}

class Entry implements Deadline {
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;
  linked = true;
  constructor(
    readonly queue: DeadlineQueue,
    readonly expiresAt: number,
    readonly onExpire: () => void,
  ) {}
  cancel(): void {
    if (this.linked) this.queue.unlink(this);
  }
}

export class DeadlineQueue {
  private head: Entry | undefined;
  private tail: Entry | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** Calls `onExpire` once, `ms` from now, unless cancelled before. */
  add(ms: number, onExpire: () => void): Deadline {
    const entry = new Entry(this, this.now() + ms, onExpire);
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
    for (let e = this.head; e; e = e.next) e.linked = false;
    this.head = this.tail = undefined;
    this.disarm();
  }

  unlink(entry: Entry): void {
    entry.linked = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  private insert(entry: Entry): void {
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
    this.timer = setTimeout(this.fire, Math.max(0, at - this.now()));
    // Pending work keeps the process alive through its own sockets; a deadline
    // alone must not (nor delay exit after the last call finished).
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    while (this.head && this.head.expiresAt <= now) {
      const due = this.head;
      this.unlink(due);
      due.onExpire();
    }
    if (this.head) this.arm(this.head.expiresAt);
  };
}
