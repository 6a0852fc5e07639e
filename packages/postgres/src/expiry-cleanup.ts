/**
 * Removes expired rows in the background. Reads never see them (every read filters on
 * `expires_at`), so this only reclaims space: a few bounded deletes per run, each
 * skipping rows other sessions hold, never one statement over the whole table. The
 * timer is unref'd (it never keeps a process alive) and `stop()` clears it.
 */
export class ExpiryCleanup {
  readonly #intervalMs: number;
  readonly #runBatch: () => Promise<number>;
  readonly #batchSize: number;
  /** Bounds one run, so a backlog is worked off over several runs instead of one long burst. */
  readonly #maxBatchesPerRun: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: {
    intervalMs: number;
    batchSize: number;
    maxBatchesPerRun?: number;
    runBatch: () => Promise<number>;
  }) {
    this.#intervalMs = options.intervalMs;
    this.#batchSize = options.batchSize;
    this.#maxBatchesPerRun = options.maxBatchesPerRun ?? 10;
    this.#runBatch = options.runBatch;
  }

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.runOnce().then(() => {
        this.#running = undefined;
        this.start();
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** One run: batches until one comes back short or the run's bound is reached. Never rejects. */
  async runOnce(): Promise<number> {
    let removed = 0;
    try {
      for (let batch = 0; batch < this.#maxBatchesPerRun && !this.#stopped; batch++) {
        const count = await this.#runBatch();
        removed += count;
        if (count < this.#batchSize) break;
      }
    } catch {
      // Failures of the connection reach the availability signal through the query
      // path; the next run simply tries again.
    }
    return removed;
  }

  /** Clears the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
