import type { ResilientStore, StoreEvents } from '@resilient-store/core';

export type StateEventName = 'failover' | 'recovered' | 'breaker';

/** A state-change event with the time (`performance.now()`) it was emitted. */
export type RecordedEvent = {
  [E in StateEventName]: {
    readonly name: E;
    readonly at: number;
    readonly payload: StoreEvents[E];
  };
}[StateEventName];

/** An attempt the store failed over (`error` event), reduced to what the report needs. */
export interface RecordedAttemptError {
  readonly at: number;
  readonly backend: string | null;
  readonly message: string;
}

/**
 * Records a store's `failover`, `recovered` and `breaker` events with timestamps, and
 * the `error` events of attempts that were failed over (those arrive once per failed
 * attempt, so only their times and messages are kept).
 */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  readonly attemptErrors: RecordedAttemptError[] = [];
  /** When each `reconciled` event came, by backend: the end of a journal's replay. */
  readonly reconciliations: Array<{ readonly at: number; readonly backend: string }> = [];
  private readonly waiters = new Set<() => void>();

  constructor(store: ResilientStore) {
    store.on('failover', (payload) =>
      this.push({ name: 'failover', at: performance.now(), payload }),
    );
    store.on('recovered', (payload) =>
      this.push({ name: 'recovered', at: performance.now(), payload }),
    );
    store.on('breaker', (payload) =>
      this.push({ name: 'breaker', at: performance.now(), payload }),
    );
    store.on('reconciled', ({ backend }) =>
      this.reconciliations.push({ at: performance.now(), backend }),
    );
    store.on('error', ({ backend, error }) =>
      this.attemptErrors.push({ at: performance.now(), backend, message: error.message }),
    );
  }

  of<E extends StateEventName>(
    name: E,
    after = Number.NEGATIVE_INFINITY,
  ): Array<Extract<RecordedEvent, { name: E }>> {
    return this.events.filter(
      (e): e is Extract<RecordedEvent, { name: E }> => e.name === name && e.at >= after,
    );
  }

  /** The first `name` event at or after `after`, waiting up to `timeoutMs` for it. */
  async waitFor<E extends StateEventName>(
    name: E,
    options: { after?: number; timeoutMs: number },
  ): Promise<Extract<RecordedEvent, { name: E }>> {
    const find = () => this.of(name, options.after)[0];
    const found = find();
    if (found) return found;
    let notify = () => {};
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise((resolve, reject) => {
        notify = () => {
          const event = find();
          if (event) resolve(event);
        };
        this.waiters.add(notify);
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `no "${name}" event within ${options.timeoutMs} ms; saw ${JSON.stringify(this.events)}`,
              ),
            ),
          options.timeoutMs,
        );
      });
    } finally {
      this.waiters.delete(notify);
      clearTimeout(timer);
    }
  }

  /** Failed attempts per distinct message, most frequent first (the top `limit`). */
  attemptCauses(limit = 3): Record<string, number> {
    const counts = new Map<string, number>();
    for (const { message } of this.attemptErrors)
      counts.set(message, (counts.get(message) ?? 0) + 1);
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, limit));
  }

  private push(event: RecordedEvent): void {
    this.events.push(event);
    for (const notify of [...this.waiters]) notify();
  }
}
