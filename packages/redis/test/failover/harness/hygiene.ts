import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Records every unhandled rejection while installed. Vitest reports them too, but only
 * as a run-level error that names no scenario; a recorder lets each scenario assert that
 * its own fault produced none.
 */
export class RejectionRecorder {
  readonly reasons: unknown[] = [];
  private readonly listener = (reason: unknown) => {
    this.reasons.push(reason);
  };

  install(): this {
    process.on('unhandledRejection', this.listener);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.listener);
  }

  describe(): string[] {
    return this.reasons.map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)));
  }
}

export type ResourceCounts = ReadonlyMap<string, number>;

/** Active handles and requests of the process, counted by type (`TCPSocketWrap`, `Timeout`, …). */
export function activeResources(): ResourceCounts {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

/**
 * Resources of each type beyond the `baseline` count, after letting them settle for up to
 * `settleMs`: sockets closed by `close()` are released by libuv a few event-loop turns
 * later, so an immediate count would report leaks that are not. The default is short on
 * purpose: a timer a client library arms on close (ioredis's disconnect graces last 1–2 s)
 * must still be there when the count is taken, so it is reported. Returns an empty list
 * when nothing is left over, else one `type: +n` entry per excess type.
 */
export async function leakedResources(baseline: ResourceCounts, settleMs = 300): Promise<string[]> {
  const until = performance.now() + settleMs;
  for (;;) {
    const excess = [...activeResources()]
      .filter(([type, n]) => n > (baseline.get(type) ?? 0))
      .map(([type, n]) => `${type}: +${n - (baseline.get(type) ?? 0)}`);
    if (excess.length === 0 || performance.now() >= until) return excess;
    await sleep(50);
  }
}
