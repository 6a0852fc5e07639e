/**
 * Watches a redis-server from the outside: every 100 ms its `total_commands_processed`,
 * read on a connection of its own. That is how "back on Redis" is judged for every library
 * alike, whatever it reports about itself: the commands Redis actually serves again.
 */
import { Redis } from 'ioredis';

export interface TrafficSample {
  /** ms since the load started. */
  readonly atMs: number;
  /** Commands per second Redis served since the previous sample (own INFO calls excluded). */
  readonly commandsPerSec: number;
}

export interface TrafficWatch {
  stop(): Promise<TrafficSample[]>;
}

const POLL_MS = 100;

export function watchTraffic(url: string, startedAt: number): TrafficWatch {
  // Fail fast and never queue: a probe that cannot answer now is a missing sample, not a
  // late one that would land in the wrong window.
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 200,
    retryStrategy: () => 50,
  });
  client.on('error', () => {});
  const samples: TrafficSample[] = [];
  let previous: { atMs: number; total: number } | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const atMs = performance.now() - startedAt;
      try {
        const info = await client.info('stats');
        const total = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN);
        if (Number.isFinite(total)) {
          if (previous) {
            // A restarted server counts from zero again; then everything it counted is new.
            const served = total >= previous.total ? total - previous.total - 1 : total;
            samples.push({
              atMs,
              commandsPerSec: (Math.max(0, served) / (atMs - previous.atMs)) * 1000,
            });
          }
          previous = { atMs, total };
        }
      } catch {
        // Hung or down: no sample for this window.
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      client.disconnect();
      return samples;
    },
  };
}

/**
 * When traffic came back for good: the ms after `fromMs` at which the last window below
 * `threshold` ended, so every later window carries at least that rate. Undefined when the
 * final window is still below it (the library never came back within the run).
 */
export function backOnRedisAfter(
  samples: readonly TrafficSample[],
  fromMs: number,
  threshold: number,
): number | undefined {
  const after = samples.filter((s) => s.atMs > fromMs);
  if (after.length === 0 || after[after.length - 1]!.commandsPerSec < threshold) return undefined;
  let lastLow = -1;
  after.forEach((s, i) => {
    if (s.commandsPerSec < threshold) lastLow = i;
  });
  // The window that first carried the traffic for good started where the last low one ended.
  const start = lastLow >= 0 ? after[lastLow]!.atMs : fromMs;
  return Math.max(0, start - fromMs);
}
