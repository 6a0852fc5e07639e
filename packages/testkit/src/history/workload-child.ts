/**
 * One process of a forked workload (see `workload.ts`): builds its store from the
 * module the parent names, runs the failover harness's load generator on it with
 * every operation recorded, and sends its history back. Driven by the parent's
 * messages; exits once told to close, or when the parent goes away.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResilientStore, StoreEventName } from '@resilient-store/core';
import { LoadGenerator } from '../failover/load-generator.js';
import { ReadYourWritesChecker } from '../failover/ryw-checker.js';
import { HistoryRecorder, historyNow } from './recorder.js';
import type { ChildSummary, ForwardedEventName, FromChild, ToChild } from './workload-protocol.js';

const FORWARDED: readonly ForwardedEventName[] = [
  'failover',
  'recovered',
  'breaker',
  'reconciled',
  'journalOverflow',
];
/** The store must settle within this after the load stopped; past it, the final reads go ahead. */
const SETTLE_TIMEOUT_MS = 30_000;

type StoreFactory = (options: unknown, process: string) => ResilientStore | Promise<ResilientStore>;

function send(message: FromChild): void {
  process.send?.(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

interface Running {
  readonly store: ResilientStore;
  readonly load: LoadGenerator;
  readonly history: HistoryRecorder;
  readonly settleMs: number;
  /** History-clock time of the last replay or failed attempt: the store is busy until quiet. */
  lastActivityAt: number;
  errorEvents: number;
}

const rejections: string[] = [];
process.on('unhandledRejection', (reason) => rejections.push(describe(reason)));
// The parent died or closed the channel: nothing left to report to.
process.on('disconnect', () => process.exit(0));

let running: Running | undefined;

async function start(message: Extract<ToChild, { type: 'start' }>): Promise<void> {
  const imported = (await import(message.storeModule)) as { default?: unknown };
  if (typeof imported.default !== 'function') {
    throw new TypeError(
      `${message.storeModule} must export a default function (options, process) => ResilientStore`,
    );
  }
  const store = await (imported.default as StoreFactory)(message.storeOptions, message.process);
  const history = new HistoryRecorder(message.process);
  const { concurrency = 50, keys = 100, maxRate = 5_000, ...shares } = message.load;
  const load = new LoadGenerator(store, new ReadYourWritesChecker(), {
    concurrency,
    keys,
    maxRate,
    ...shares,
    history,
  });
  const state: Running = {
    store,
    load,
    history,
    settleMs: message.settleMs,
    lastActivityAt: historyNow(),
    errorEvents: 0,
  };
  for (const name of FORWARDED) {
    store.on(name as StoreEventName, (payload: unknown) => {
      const at = historyNow();
      if (name === 'reconciled') state.lastActivityAt = at;
      send({ type: 'event', name, payload, at });
    });
  }
  store.on('error', () => {
    state.errorEvents++;
    state.lastActivityAt = historyNow();
  });
  await store.ready(message.readyTimeoutMs);
  running = state;
  load.start();
  send({ type: 'started', at: historyNow() });
}

/**
 * Stops the load, then waits until the store serves from its first backend and has
 * been quiet (no replay, no failed attempt) for `settleMs`: a write passed over at
 * the end is replayed within the store's healthy-replay delay, and the final reads
 * must not race it.
 */
async function stop(state: Running): Promise<void> {
  await state.load.stop();
  const stoppedAt = historyNow();
  state.lastActivityAt = Math.max(state.lastActivityAt, stoppedAt);
  while (historyNow() - stoppedAt < SETTLE_TIMEOUT_MS) {
    const quiet = historyNow() - state.lastActivityAt >= state.settleMs;
    if (quiet && state.store.health().status === 'ok') break;
    await sleep(25);
  }
  send({ type: 'stopped', at: historyNow() });
}

async function readAll(state: Running): Promise<void> {
  await state.load.readEveryKey();
  const errors = state.load.records.filter((r) => r.outcome === 'error');
  const summary: ChildSummary = {
    process: state.history.process,
    ops: state.load.records.length,
    errors: errors.length,
    firstErrors: errors.slice(0, 5).map((r) => `${r.op} ${r.key}: ${r.error}`),
    errorEvents: state.errorEvents,
    unhandledRejections: [...rejections],
  };
  send({ type: 'history', history: state.history.history(), summary });
}

async function close(): Promise<void> {
  await running?.store.close();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: ToChild) => {
  const handle = async () => {
    if (message.type === 'start') return start(message);
    if (message.type === 'close') return close();
    if (running === undefined) throw new Error(`"${message.type}" before the store started`);
    if (message.type === 'stop') return stop(running);
    return readAll(running);
  };
  handle().catch((error: unknown) => {
    send({
      type: 'failed',
      error: error instanceof Error ? (error.stack ?? describe(error)) : describe(error),
    });
  });
});
