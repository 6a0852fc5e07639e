import type { Counter, LabelValues } from 'prom-client';

/**
 * One counter series, counted on the hot path as a plain number and handed to
 * prom-client only when the registry is scraped. prom-client's own `inc()` hashes
 * the label set on every call; a cache operation should not pay for that.
 */
export class CounterCell<L extends string> {
  value = 0;
  private reported = 0;

  constructor(
    private readonly counter: Counter<L>,
    readonly labels: LabelValues<L>,
  ) {
    // The series exists at 0 from the start, so `increase()` sees the first event.
    counter.inc(labels, 0);
  }

  /** Hands prom-client what was counted since the last scrape. */
  flush(): void {
    const delta = this.value - this.reported;
    if (delta === 0) return;
    this.counter.inc(this.labels, delta);
    this.reported = this.value;
  }

  remove(): void {
    this.counter.remove(this.labels);
  }
}
