import { setTimeout as sleep } from 'node:timers/promises';
import type { RecoveryOptions, ResilientStore } from '@resilient-store/core';
import { startFaultProxy, startRedis } from '@resilient-store/testkit';
import { EventRecorder } from '@resilient-store/testkit/failover';
import {
  ForkedWorkload,
  type ForkedWorkloadResult,
  historyNow,
} from '@resilient-store/testkit/history';
import { describe, expect, it, onTestFinished } from 'vitest';
import buildStore, { type WorkloadStoreOptions } from './fixtures/workload-store.js';

const STORE_MODULE = new URL('./fixtures/workload-store.ts', import.meta.url);
/** Load on Redis before the fault, length of the fault, load on Redis after the replay. */
const BEFORE_MS = 1_000;
const OUTAGE_MS = 2_000;
const AFTER_MS = 1_500;

interface Fault {
  readonly name: string;
  /** The URL the processes connect to, and how to break and mend it. */
  setUp(): Promise<{ url: string; inject(): Promise<void>; heal(): Promise<void> }>;
}

/** Redis keeps every write it acknowledged (AOF, fsync on each): a kill loses nothing. */
const durableRedis = () => startRedis({ persistence: true, args: ['--appendfsync', 'always'] });

const FAULTS: readonly Fault[] = [
  {
    name: 'Redis killed (SIGKILL) and restarted on the same port',
    setUp: async () => {
      const server = await durableRedis();
      return { url: server.url, inject: () => server.kill(), heal: () => server.restart() };
    },
  },
  {
    name: 'Redis paused (SIGSTOP), then resumed',
    setUp: async () => {
      const server = await durableRedis();
      return { url: server.url, inject: () => server.pause(), heal: () => server.resume() };
    },
  },
  {
    name: 'the network to Redis cut, then restored',
    setUp: async () => {
      const server = await durableRedis();
      const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
      onTestFinished(() => proxy.close());
      return { url: proxy.url(), inject: () => proxy.down(), heal: () => proxy.up() };
    },
  },
];

/**
 * Two processes, each its own store `[redis, memory]`, sharing keys under load: the
 * fault, every process failed over, the fault held, lifted, every process recovered
 * and replayed its journal, load on Redis again, then the merged histories checked.
 */
async function throughOutage(
  fault: Fault,
  recovery?: RecoveryOptions,
): Promise<{ result: ForkedWorkloadResult; faultAt: number; healedAt: number }> {
  const { url, inject, heal } = await fault.setUp();
  const storeOptions: WorkloadStoreOptions = {
    url,
    namespace: `mp${Math.random().toString(36).slice(2, 8)}`,
    ...(recovery === undefined ? {} : { recovery }),
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
  await inject();
  await workload.waitForEach('failover', { after: faultAt, timeoutMs: 5_000 });
  await sleep(Math.max(0, OUTAGE_MS - (historyNow() - faultAt)));
  await heal();
  const healedAt = historyNow();
  await workload.waitForEach('recovered', { after: faultAt, timeoutMs: 10_000 });
  await workload.waitForEach('reconciled', { after: faultAt, timeoutMs: 10_000 });
  await sleep(AFTER_MS);
  return { result: await workload.finish(), faultAt, healedAt };
}

/** No caller saw an error, nothing rejected unhandled, and both processes wrote during the outage. */
function expectCleanProcesses({
  result,
  faultAt,
  healedAt,
}: Awaited<ReturnType<typeof throughOutage>>): void {
  for (const summary of result.summaries) {
    expect(summary.firstErrors, `${summary.process}: ${summary.errors} errors`).toEqual([]);
    expect(summary.unhandledRejections, summary.process).toEqual([]);
  }
  for (const process of ['p1', 'p2']) {
    const outageWrites = result.history.ops.filter(
      (op) =>
        op.process === process &&
        op.kind !== 'read' &&
        op.outcome === 'ok' &&
        op.invokedAt > faultAt &&
        op.completedAt < healedAt,
    );
    expect(outageWrites.length, `${process}'s writes during the outage`).toBeGreaterThan(0);
  }
}

describe.sequential('two processes on one Redis, through an outage under load', () => {
  for (const fault of FAULTS) {
    it(`${fault.name}: the merged histories show no stale read and converge`, async () => {
      const outcome = await throughOutage(fault);
      expectCleanProcesses(outcome);
      const { report } = outcome.result;
      expect(report.reads).toBeGreaterThan(0);
      expect(
        report.violations.slice(0, 5).map((v) => v.message),
        `${report.violations.length} violations ${JSON.stringify(report.counts)}`,
      ).toEqual([]);
    }, 60_000);
  }
});

describe('two processes whose journals overflow during the outage', () => {
  it('each reports journalOverflow, and after recovery neither reads anything older than the newest acknowledged write', async () => {
    const kill = FAULTS[0]!;
    const outcome = await throughOutage(kill, { maxJournalKeys: 10 });
    expectCleanProcesses(outcome);
    const overflowed = outcome.result.events.filter((e) => e.name === 'journalOverflow');
    expect(new Set(overflowed.map((e) => e.process))).toEqual(new Set(['p1', 'p2']));
    // The namespace was cleared on Redis before it served: a value not written again
    // reads as a miss (lost: the documented cost, cold), never as an older value.
    const { report } = outcome.result;
    const notLost = report.violations.filter((v) => v.kind !== 'lost');
    expect(
      notLost.slice(0, 5).map((v) => v.message),
      `${notLost.length} violations ${JSON.stringify(report.counts)}`,
    ).toEqual([]);
  }, 60_000);
});

/**
 * A live delete on Redis leaves a tombstone stamped at the delete: a store that missed
 * an older set of the key (its connection cut) replays it after the delete, and the
 * conditional replay is refused. Deterministic, with two stores in this process.
 */
describe('a delete on Redis and another store’s replay of an older set', () => {
  it('the deleted keys stay deleted, by delete and by deleteMany', async () => {
    const server = await startRedis();
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    onTestFinished(() => proxy.close());
    const namespace = `gap${Math.random().toString(36).slice(2, 8)}`;
    const healthy = buildStore({ url: server.url, namespace });
    const cutOff = buildStore({ url: proxy.url(), namespace });
    onTestFinished(async () => {
      await Promise.all([healthy.close(), cutOff.close()]);
    });
    const events = new EventRecorder(cutOff);
    await Promise.all([healthy.ready(10_000), cutOff.ready(10_000)]);

    await healthy.setMany([
      { key: 'key', value: 'v1' },
      { key: 'other', value: 'v1' },
    ]);
    const cutAt = performance.now();
    await proxy.down();
    await cutOff.set('key', 'v2'); // journaled: its memory holds v2
    await events.waitFor('failover', { after: cutAt, timeoutMs: 5_000 });
    await cutOff.set('other', 'v2');
    // Newer than v2 (invoked after v2 was acknowledged): Redis holds tombstones of them.
    expect(await healthy.delete('key')).toBe(true);
    expect(await healthy.deleteMany(['other', 'other', 'absent'])).toBe(1);
    // A tombstone is no entry: deleting again removes nothing.
    expect(await healthy.delete('key')).toBe(false);
    const reconciled = waitForReconciled(cutOff);
    await proxy.up();
    await events.waitFor('recovered', { after: cutAt, timeoutMs: 10_000 });

    expect(await reconciled).toMatchObject({ keys: 2, skipped: 2 });
    expect(await healthy.get('key')).toBeUndefined();
    expect(await cutOff.get('key')).toBeUndefined();
    expect(await cutOff.get('other')).toBeUndefined();
    expect(await healthy.getMany(['key', 'other'])).toEqual([undefined, undefined]);
    expect(await healthy.has('key')).toBe(false);
    expect(await healthy.getOrSet('key', () => 'loaded')).toBe('loaded');
  }, 30_000);
});

function waitForReconciled(store: ResilientStore): Promise<unknown> {
  return new Promise((resolve) => store.once('reconciled', resolve));
}
