import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, startRedis } from '@resilient-store/testkit';
import { ForkedWorkload, type HistoryOp, historyNow } from '@resilient-store/testkit/history';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { WorkloadStoreOptions } from './fixtures/workload-store.js';

const STORE_MODULE = new URL('./fixtures/workload-store.ts', import.meta.url);
/** Load on Redis before the kill, length of the outage, load on Redis after the replay. */
const BEFORE_MS = 1_000;
const OUTAGE_MS = 2_000;
const AFTER_MS = 1_500;

/** The process that made the write a read returned (write ids are `<process>:<sequence>`). */
const writerOf = (op: HistoryOp): string | undefined => op.version?.split(':')[0];

describe('[redis, postgres, memory] shared by two processes', () => {
  it('Redis killed (SIGKILL) under load and restarted: both serve from PostgreSQL and read each other’s writes, then the merged histories show no lost write and no stale read', async () => {
    // Redis keeps every write it acknowledged (AOF, fsync on each): a kill loses nothing.
    const redis = await startRedis({ persistence: true, args: ['--appendfsync', 'always'] });
    const postgres = await startPostgres();
    const run = Math.random().toString(36).slice(2, 8);
    const storeOptions: WorkloadStoreOptions = {
      redisUrl: redis.url,
      postgresUrl: postgres.url,
      namespace: `tp${run}`,
      table: `two_processes_${run}`,
    };
    const workload = await ForkedWorkload.start({
      storeModule: STORE_MODULE,
      storeOptions,
      processes: 2,
      // Few keys, so the processes write and delete the same keys during the outage.
      load: { concurrency: 20, keys: 50, maxRate: 2_000, getShare: 0.5, setShare: 0.35 },
    });
    onTestFinished(() => workload.kill());
    await sleep(BEFORE_MS);

    const faultAt = historyNow();
    await redis.kill();
    await workload.waitForEach('failover', { after: faultAt, timeoutMs: 5_000 });
    await sleep(Math.max(0, OUTAGE_MS - (historyNow() - faultAt)));
    await redis.restart();
    const healedAt = historyNow();
    await workload.waitForEach('recovered', { after: faultAt, timeoutMs: 10_000 });
    await workload.waitForEach('reconciled', { after: faultAt, timeoutMs: 10_000 });
    await sleep(AFTER_MS);
    const { history, report, summaries, events } = await workload.finish();

    // Redis down, PostgreSQL up: no caller saw an error (guarantees §1).
    for (const summary of summaries) {
      expect(summary.firstErrors, `${summary.process}: ${summary.errors} errors`).toEqual([]);
      expect(summary.unhandledRejections, summary.process).toEqual([]);
    }
    // Each failed over from Redis to PostgreSQL, not to its private memory.
    for (const process of ['p1', 'p2']) {
      const failovers = events.filter(
        (e) => e.process === process && e.name === 'failover' && e.at > faultAt,
      );
      expect(failovers[0]?.payload, `${process}'s first failover`).toMatchObject({
        from: 'redis',
        to: 'postgres',
      });
    }
    // The shared tier at work: during the outage each process read values the other
    // wrote during the outage, which a private memory fallback cannot give.
    const inOutage = (op: HistoryOp) =>
      op.outcome === 'ok' && op.invokedAt > faultAt && op.completedAt < healedAt;
    const outageWrites = new Set(
      history.ops.filter((op) => op.kind === 'set' && inOutage(op)).map((op) => op.version),
    );
    for (const [reader, writer] of [
      ['p1', 'p2'],
      ['p2', 'p1'],
    ] as const) {
      const crossReads = history.ops.filter(
        (op) =>
          op.process === reader &&
          op.kind === 'read' &&
          inOutage(op) &&
          writerOf(op) === writer &&
          outageWrites.has(op.version),
      );
      expect(crossReads.length, `${reader}'s reads of ${writer}'s outage writes`).toBeGreaterThan(
        0,
      );
    }
    // No lost write, no stale or resurrected read, and converged after the replay.
    expect(report.reads).toBeGreaterThan(0);
    expect(
      report.violations.slice(0, 5).map((v) => v.message),
      `${report.violations.length} violations ${JSON.stringify(report.counts)}`,
    ).toEqual([]);
  }, 60_000);
});
