/**
 * A steady, open-loop load: requests are started on a fixed schedule whether or not
 * earlier ones have answered, as a service's incoming traffic would be. A slow store
 * therefore shows up as latency and as requests piling up, never as a quietly lower rate.
 *
 * Two kinds of request, as in the example service:
 * - a conversation turn (60%): read the state, append a turn, save it (get + set);
 * - recommendations (40%): `getOrSet` with the slow loader behind it.
 */
import type { ResilientStore } from '@resilient-store/core';
import {
  CONVERSATION_TTL,
  type ConversationBook,
  type ConversationState,
  computeRecommendations,
  nextTurn,
  RECS_TTL,
  randomUser,
  recsKey,
} from './conversations.js';
import type { Meter } from './meter.js';

/** How often the scheduler wakes up to start the requests that are due. */
const TICK_MS = 10;
const CONVERSATION_SHARE = 0.6;

export class Load {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private started = 0;
  private startedAt = 0;
  /** Loader runs started per user, and those still running: did a getOrSet wait for one? */
  private readonly loadsStarted = new Map<string, number>();
  private readonly loadsRunning = new Map<string, number>();

  constructor(
    private readonly store: ResilientStore,
    private readonly meter: Meter,
    private readonly book: ConversationBook,
    private readonly requestsPerSecond: number,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops starting requests and resolves once every started one has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.requestsPerSecond);
    while (this.started < due) {
      this.started++;
      const request = Math.random() < CONVERSATION_SHARE ? this.turn() : this.recommend();
      // Each request handles its own errors; this only tracks when it is done.
      this.inFlight.add(request);
      const done = () => {
        this.inFlight.delete(request);
      };
      request.then(done, done);
    }
  }

  private async turn(): Promise<void> {
    const conversation = this.book.claim();
    if (conversation === undefined) return;
    const { user, id, key } = conversation;
    try {
      const state = await this.timed(() => this.store.get<ConversationState>(key));
      const check = this.book.check(key, state);
      if (check === 'lost') this.meter.lostState();
      if (check === 'stale') this.meter.staleState();
      const next = nextTurn(state, user, id);
      await this.timed(() => this.store.set(key, next, { ttl: CONVERSATION_TTL }));
      this.book.recordSave(key, next);
    } catch (error) {
      this.meter.error(error);
    } finally {
      this.book.release(key);
    }
  }

  private async recommend(): Promise<void> {
    const user = randomUser();
    // getOrSet coalesces concurrent loads of one key, so a call may wait for a loader that
    // another call started: one running when it began or started while it ran counts.
    const runningAtStart = (this.loadsRunning.get(user) ?? 0) > 0;
    const startedBefore = this.loadsStarted.get(user) ?? 0;
    try {
      await this.timed(
        () => this.store.getOrSet(recsKey(user), () => this.load(user), { ttl: RECS_TTL }),
        () => runningAtStart || (this.loadsStarted.get(user) ?? 0) !== startedBefore,
      );
    } catch (error) {
      this.meter.error(error);
    }
  }

  private async load(user: string) {
    this.meter.load();
    bump(this.loadsStarted, user, 1);
    bump(this.loadsRunning, user, 1);
    try {
      return await computeRecommendations(user);
    } finally {
      bump(this.loadsRunning, user, -1);
    }
  }

  /** Runs one store call and records its latency; a rejection is recorded by the caller. */
  private async timed<T>(call: () => Promise<T>, waitedForLoader: () => boolean = () => false) {
    const started = performance.now();
    const result = await call();
    this.meter.call(performance.now() - started, waitedForLoader());
    return result;
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
