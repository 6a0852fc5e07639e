import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Active libuv resources (sockets, timers, ...) by type. `close()` must give back
 * everything a backend or a store opened, so after it the counts may not exceed a
 * baseline taken before it was made.
 */
export type ResourceCounts = ReadonlyMap<string, number>;

/** Active handles and requests of the process, counted by type (`TCPSocketWrap`, `Timeout`, …). */
export function activeResources(): ResourceCounts {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

/** The resource types present now beyond `baseline`, one `type: +n` entry each; empty when none. */
export function resourcesBeyond(baseline: ResourceCounts): string[] {
  return [...activeResources()]
    .filter(([type, n]) => n > (baseline.get(type) ?? 0))
    .map(([type, n]) => `${type}: +${n - (baseline.get(type) ?? 0)}`);
}

/**
 * Resources of each type beyond `baseline`, after letting them settle for up to
 * `settleMs`: sockets closed by `close()` are released by libuv a few event-loop turns
 * later, so an immediate count would report leaks that are not. Keep the settle short
 * where a client library's grace timer armed on close (ioredis's disconnect graces last
 * 1–2 s) must still be caught. Returns an empty list when nothing is left over.
 */
export async function leftoverResources(
  baseline: ResourceCounts,
  settleMs: number,
): Promise<string[]> {
  const until = performance.now() + settleMs;
  for (;;) {
    const excess = resourcesBeyond(baseline);
    if (excess.length === 0 || performance.now() >= until) return excess;
    await sleep(20);
  }
}
