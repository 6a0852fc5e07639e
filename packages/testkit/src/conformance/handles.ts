import { pollUntil } from './fixtures.js';

/**
 * Active libuv resources (sockets, timers, ...) by type. `close()` must give back
 * everything a backend opened, so after it the counts may not exceed a baseline taken
 * before the backend was made.
 */
export type ResourceCounts = ReadonlyMap<string, number>;

export function activeResources(): ResourceCounts {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The resource types (with counts) present now beyond `baseline`; empty when none. */
export function resourcesBeyond(baseline: ResourceCounts): string[] {
  const extra: string[] = [];
  for (const [type, count] of activeResources()) {
    const allowed = baseline.get(type) ?? 0;
    if (count > allowed) extra.push(`${type} x${count - allowed}`);
  }
  return extra;
}

/**
 * Waits up to `settleMs` for the active resources to fall back to `baseline` (sockets
 * close asynchronously) and answers what is still left over.
 */
export async function leftoverResources(
  baseline: ResourceCounts,
  settleMs: number,
): Promise<string[]> {
  await pollUntil(() => resourcesBeyond(baseline).length === 0, settleMs, 20);
  return resourcesBeyond(baseline);
}
