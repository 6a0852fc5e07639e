import type { Socket } from 'node:net';
import type { FaultState } from './fault-state.js';

/**
 * Bytes held in a link above which its source is paused, so a delayed or throttled link
 * pushes back on the sender through TCP instead of buffering without bound.
 */
const HIGH_WATER_BYTES = 64 * 1024;
const LOW_WATER_BYTES = 16 * 1024;

type QueueItem = { kind: 'data'; bytes: Buffer; dueAt: number } | { kind: 'end'; dueAt: number };

/**
 * One direction of a proxied connection: reads from `source`, applies the toxics in
 * `state`, and writes to `dest` in order, respecting backpressure on both sides.
 *
 * A link owns at most one timer at a time (the wait for its next write), so `stop()`
 * is enough to leave nothing scheduled behind.
 */
export class Link {
  private readonly source: Socket;
  private readonly dest: Socket;
  private readonly state: FaultState;
  private readonly onLimitReached: () => void;
  private readonly queue: QueueItem[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private awaitingDrain = false;
  private pausedSource = false;
  private stopped = false;
  /** Earliest time the next write may happen, set by the slicer and bandwidth toxics. */
  private nextWriteAt = 0;
  /**
   * The deadline the last timer was set for. Node timers have millisecond resolution and can
   * fire a fraction of a millisecond early; counting time from the deadline rather than from
   * the early wake-up keeps those fractions from adding up over a long series of writes.
   */
  private wokeFor = 0;
  /** Bytes still allowed through under limitData; undefined when unlimited. */
  private budget: number | undefined;

  constructor(source: Socket, dest: Socket, state: FaultState, onLimitReached: () => void) {
    this.source = source;
    this.dest = dest;
    this.state = state;
    this.onLimitReached = onLimitReached;
    this.budget = state.limitBytes;
    source.on('data', (chunk: Buffer) => this.accept(chunk));
    source.on('end', () => this.acceptEnd());
  }

  /** Restarts the byte budget (limitData set or removed while the connection is open). */
  setBudget(bytes: number | undefined): void {
    this.budget = bytes;
  }

  /** Re-evaluates the queue after a mode change (e.g. a blackhole lifted). */
  resume(): void {
    this.pump();
  }

  /** Drops everything queued and cancels the pending timer; the link never writes again. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private accept(chunk: Buffer): void {
    // A blackhole discards rather than delays: lifting it must not replay stale traffic.
    if (this.stopped || this.state.mode === 'blackhole') return;
    this.queue.push({
      kind: 'data',
      bytes: chunk,
      dueAt: performance.now() + this.state.drawLatency(),
    });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= HIGH_WATER_BYTES && !this.pausedSource) {
      this.pausedSource = true;
      this.source.pause();
    }
    this.pump();
  }

  private acceptEnd(): void {
    if (this.stopped) return;
    this.queue.push({ kind: 'end', dueAt: performance.now() + this.state.closeDelay() });
    this.pump();
  }

  private pump(): void {
    if (this.stopped || this.timer !== undefined || this.awaitingDrain) return;
    if (this.state.mode === 'blackhole') {
      this.discardQueuedData();
      return;
    }
    while (!this.stopped) {
      const head = this.queue[0];
      if (head === undefined) return;
      if (this.dest.destroyed || !this.dest.writable) {
        this.discardQueuedData();
        return;
      }
      const now = Math.max(performance.now(), this.wokeFor);
      const readyAt = head.kind === 'data' ? Math.max(head.dueAt, this.nextWriteAt) : head.dueAt;
      if (readyAt > now) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.wokeFor = readyAt;
          this.pump();
        }, readyAt - now);
        return;
      }
      if (head.kind === 'end') {
        this.queue.shift();
        this.dest.end();
        continue;
      }
      if (!this.writeSlice(head, now)) return;
    }
  }

  /** Writes the next slice of `head`; false when the link must wait (drain or budget). */
  private writeSlice(head: QueueItem & { kind: 'data' }, now: number): boolean {
    let slice = head.bytes.subarray(0, this.state.maxWriteBytes());
    head.bytes = head.bytes.subarray(slice.length);
    if (head.bytes.length === 0) this.queue.shift();
    this.queuedBytes -= slice.length;
    this.resumeSourceIfDrained();

    const exhausted = this.budget !== undefined && slice.length >= this.budget;
    if (this.budget !== undefined) {
      slice = slice.subarray(0, this.budget);
      this.budget -= slice.length;
    }
    const flushed = slice.length === 0 || this.dest.write(slice);
    this.nextWriteAt = now + this.state.pauseAfter(slice.length);
    if (exhausted) {
      this.stop();
      this.onLimitReached();
      return false;
    }
    if (!flushed) {
      this.awaitingDrain = true;
      this.dest.once('drain', () => {
        this.awaitingDrain = false;
        this.pump();
      });
      return false;
    }
    return true;
  }

  /** Drops queued bytes but keeps a queued close, which is delivered once forwarding resumes. */
  private discardQueuedData(): void {
    const end = this.queue.find((item) => item.kind === 'end');
    this.queue.length = 0;
    if (end !== undefined) this.queue.push(end);
    this.queuedBytes = 0;
    this.resumeSourceIfDrained();
  }

  private resumeSourceIfDrained(): void {
    if (this.pausedSource && this.queuedBytes <= LOW_WATER_BYTES && !this.stopped) {
      this.pausedSource = false;
      this.source.resume();
    }
  }
}
