/**
 * What the status page charts: per second, the API requests answered, their p99
 * latency, the server errors, how many were served by the primary backend or a
 * fallback, and the store's health at the end of that second. The last few minutes are
 * kept for a page that connects later; listeners get each second and each change of
 * the store's state as it happens.
 */
import type { ResilientStore, StoreEvents, StoreHealth } from '@resilient-store/core';

export type CacheStatus = 'primary' | 'fallback_active';

export interface SecondPoint {
  /** End of the second, epoch ms. */
  readonly t: number;
  readonly requests: number;
  readonly p99Ms: number | null;
  /** Answers with a 5xx status. */
  readonly errors: number;
  readonly primary: number;
  readonly fallback: number;
  /** The backend serving at the end of the second, or null when none can. */
  readonly serving: string | null;
  readonly status: StoreHealth['status'];
}

/** A change of the store's state, with the event that caused it in words. */
export interface StateChange {
  readonly t: number;
  readonly event: string;
  readonly health: StoreHealth;
}

export interface TrafficListener {
  second(point: SecondPoint): void;
  state(change: StateChange): void;
}

/** Five minutes of seconds. */
const KEPT_SECONDS = 300;

export class Traffic {
  private readonly points: SecondPoint[] = [];
  private readonly listeners = new Set<TrafficListener>();
  private latencies: number[] = [];
  private requests = 0;
  private errors = 0;
  private primary = 0;
  private fallback = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: ResilientStore) {
    const changed = (event: string) => this.emitState(event);
    store.on('failover', ({ from, to, reason }) =>
      changed(`failover ${from} -> ${to ?? 'none'}: ${reason}`),
    );
    store.on('recovered', ({ backend, outageMs }: StoreEvents['recovered']) =>
      changed(`recovered ${backend} after ${outageMs} ms`),
    );
    store.on('breaker', ({ backend, state }) => changed(`breaker ${backend} -> ${state}`));
  }

  start(): void {
    this.timer ??= setInterval(() => this.closeSecond(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  record(statusCode: number, durationMs: number, cacheStatus: CacheStatus | undefined): void {
    this.requests++;
    this.latencies.push(durationMs);
    if (statusCode >= 500) this.errors++;
    if (cacheStatus === 'primary') this.primary++;
    if (cacheStatus === 'fallback_active') this.fallback++;
  }

  history(): readonly SecondPoint[] {
    return this.points;
  }

  subscribe(listener: TrafficListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private closeSecond(): void {
    const health = this.store.health();
    const sorted = this.latencies.sort((a, b) => a - b);
    const point: SecondPoint = {
      t: Date.now(),
      requests: this.requests,
      p99Ms: sorted.length === 0 ? null : round(percentile(sorted, 0.99)),
      errors: this.errors,
      primary: this.primary,
      fallback: this.fallback,
      serving: health.active,
      status: health.status,
    };
    this.latencies = [];
    this.requests = this.errors = this.primary = this.fallback = 0;
    this.points.push(point);
    if (this.points.length > KEPT_SECONDS) this.points.shift();
    for (const listener of this.listeners) listener.second(point);
  }

  private emitState(event: string): void {
    const change: StateChange = { t: Date.now(), event, health: this.store.health() };
    for (const listener of this.listeners) listener.state(change);
  }
}

/** Nearest-rank percentile of an ascending, non-empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
