import type { ResilientStore } from '@resilient-store/core';

/**
 * Which backend answered each operation, and when (`performance.now()` at completion),
 * from the store's own per-operation observer: the only source that knows which backend
 * served a call after failovers inside it.
 */
export class ServedByRecorder {
  private readonly times: number[] = [];
  private readonly backends: string[] = [];

  constructor(store: ResilientStore) {
    store.observeOperations(({ backend }) => {
      this.times.push(performance.now());
      // null: every backend failed.
      this.backends.push(backend ?? '(none)');
    });
  }

  /** Operations answered per backend, in `[from, to)` (default: the whole run). */
  counts(from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY): Record<string, number> {
    const counts: Record<string, number> = {};
    this.times.forEach((at, i) => {
      if (at < from || at >= to) return;
      const backend = this.backends[i]!;
      counts[backend] = (counts[backend] ?? 0) + 1;
    });
    return counts;
  }

  /** When `backend` last answered an operation, or undefined if it never did. */
  lastServedAt(backend: string): number | undefined {
    const i = this.backends.lastIndexOf(backend);
    return i < 0 ? undefined : this.times[i];
  }
}
