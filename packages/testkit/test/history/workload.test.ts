import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ForkedWorkload, ForkedWorkloadError } from '../../src/history/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('ForkedWorkload', () => {
  it('runs the load in every process and returns their merged histories, checked together', async () => {
    // Memory-only stores: the processes share keys but no backend, so they cannot
    // converge, and the merged check must say so (a per-process check could not).
    const workload = await ForkedWorkload.start({
      storeModule: fixture('memory-store.ts'),
      processes: 2,
      load: { concurrency: 4, keys: 5, maxRate: 500 },
      settleMs: 50,
    });
    onTestFinished(() => workload.kill());
    expect(workload.processes).toEqual(['p1', 'p2']);
    await sleep(300);
    const result = await workload.finish();

    expect(new Set(result.history.ops.map((op) => op.process))).toEqual(new Set(['p1', 'p2']));
    for (const summary of result.summaries) {
      expect(summary.ops).toBeGreaterThan(0);
      expect(summary.errors).toBe(0);
      expect(summary.unhandledRejections).toEqual([]);
    }
    // Every process read every key after convergedAfter.
    const finals = result.history.ops.filter(
      (op) => op.kind === 'read' && op.invokedAt >= result.convergedAfter,
    );
    expect(finals.length).toBe(2 * 5);
    const { counts } = result.report;
    expect(counts['read-your-writes'] + counts['monotonic-reads']).toBe(0);
    expect(counts.convergence).toBeGreaterThan(0);
  }, 30_000);

  it('rejects with a ForkedWorkloadError naming a store module without a default export', async () => {
    const started = ForkedWorkload.start({ storeModule: fixture('no-default-export.ts') });
    await expect(started).rejects.toThrow(ForkedWorkloadError);
    await expect(started).rejects.toThrow(/no-default-export\.ts must export a default function/);
  }, 30_000);

  it('refuses a process count that is not a positive integer', async () => {
    await expect(
      ForkedWorkload.start({ storeModule: fixture('memory-store.ts'), processes: 0 }),
    ).rejects.toThrow(RangeError);
  });
});
