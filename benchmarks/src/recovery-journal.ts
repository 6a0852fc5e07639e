/**
 * bench:recovery, parts 1 and 2: what the recovery journal costs on the path of an
 * operation. Each compares a store with its journal against the same store with the
 * journal switched off (`recovery: { journal: false }`, the test-only hook: the
 * behaviour before recovery existed), interleaved in rounds like `pnpm bench`
 * (schedule.ts), as the median of per-round ratios.
 *
 * 1. Healthy, empty journal: Redis serves; the journal's only cost is one field read
 *    per attempt. Expected ratio ~1.0.
 * 2. During an outage, 10k keys journaled: memory serves, every write records its key
 *    and every operation asks the journal whether Redis may serve the key.
 */
import {
  type BreakerOptions,
  memoryBackend,
  type RecoveryOptions,
  ResilientStore,
  type StoreEventName,
  type StoreEvents,
  silentLogger,
} from '@resilient-store/core';
import { redisBackend } from '@resilient-store/redis';
import type { FaultProxy } from '@resilient-store/testkit';
import { type ClientPair, openPair } from './clients.js';
import { type Operation, TTL_MS } from './config.js';
import type { CachedValue } from './fixtures.js';
import { populate } from './populate.js';
import { type Cell, type CellRun, runRounds } from './schedule.js';
import { median, quantile } from './stats.js';
import { storeVariant, type Variant, type VariantName, variantsFor } from './variants.js';

export interface RatioRow {
  readonly label: string;
  readonly opsPerSec: Partial<Record<VariantName, number>>;
  /** Median of per-round `numerator / denominator`, and its middle 50 %. */
  readonly ratio: number;
  readonly quartiles: [number, number];
}

const IN_FLIGHT = [1, 100] as const;
const OPERATIONS: readonly Operation[] = ['get', 'set'];

function storeOn(
  url: string,
  options: { recovery?: RecoveryOptions; breaker?: BreakerOptions; maxEntries?: number } = {},
): ResilientStore {
  return new ResilientStore({
    backends: [
      redisBackend({ url, enableAutoPipelining: true }),
      memoryBackend({ maxEntries: options.maxEntries ?? 10_000 }),
    ],
    logger: silentLogger,
    recovery: options.recovery,
    breaker: options.breaker,
  });
}

/** Paired ratios of `numerator` over `denominator`, per cell, over the rounds that count. */
export function ratioRows(
  runs: readonly CellRun[],
  numerator: VariantName,
  denominator: VariantName,
): RatioRow[] {
  return runs.map(({ cell, samples }) => {
    const top = samples.get(numerator) ?? [];
    const bottom = samples.get(denominator) ?? [];
    const ratios = top
      .map((s, i) => ({ s, b: bottom[i] }))
      .filter(({ s, b }) => b !== undefined && s.storeErrors === 0 && b.storeErrors === 0)
      .map(({ s, b }) => s.opsPerSec / b!.opsPerSec);
    const opsPerSec: Partial<Record<VariantName, number>> = {};
    for (const [name, list] of samples) opsPerSec[name] = median(list.map((s) => s.opsPerSec));
    return {
      label: `${cell.operation} at ${cell.inFlight} in flight`,
      opsPerSec,
      ratio: median(ratios),
      quartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    };
  });
}

/**
 * Part 1: healthy stores on Redis, journal empty, against the same store with the
 * journal off and raw ioredis (JSON), on the populated keys of `pnpm bench`.
 */
export async function emptyJournal(
  url: string,
  plan: { rounds: number; sliceMs: number; warmUpMs: number },
  values: readonly CachedValue[],
): Promise<CellRun[]> {
  const pair: ClientPair = await openPair(url, true);
  const off = storeOn(url, { recovery: { journal: false } });
  try {
    await off.ready();
    await populate(pair, values);
    let errors = 0;
    off.on('error', () => errors++);
    const storeErrors = () => pair.storeErrors() + errors;
    const cells: Cell[] = OPERATIONS.flatMap((operation) =>
      IN_FLIGHT.map((inFlight) => ({
        operation,
        inFlight,
        pair: { autoPipelining: true, storeErrors },
        variants: [
          variantsFor(operation, pair).find((v) => v.name === 'raw-json')!,
          storeVariant(operation, pair.store),
          { ...storeVariant(operation, off), name: 'store-no-journal' as const },
        ],
      })),
    );
    return await runRounds(cells, values, plan);
  } finally {
    await Promise.all([pair.close(), off.close()]);
  }
}

export interface OutageJournalResult {
  /** Per pass: ms to write the 10k keys with the journal, and without. */
  readonly writeMs: ReadonlyArray<{ journal: number; off: number }>;
  readonly runs: CellRun[];
}

const OUTAGE_KEYS = Array.from(
  { length: 10_000 },
  (_, i) => `bench:out:${String(i).padStart(5, '0')}`,
);
const WRITE_PASSES = 5;
const WRITE_IN_FLIGHT = 100;

/**
 * Part 2: both stores behind the fault proxy, the connection cut; 10k keys written
 * into each (timed, `WRITE_PASSES` passes over the same keys: the first records them,
 * the next replace entries), then get/set slices on those keys while the journal
 * holds them. The breaker stays open for the whole part (no probe reaches Redis).
 */
export async function outageJournal(
  proxy: FaultProxy,
  plan: { rounds: number; sliceMs: number; warmUpMs: number },
  values: readonly CachedValue[],
): Promise<OutageJournalResult> {
  const breaker = { resetTimeout: 10 * 60_000 };
  const withJournal = storeOn(proxy.url(), { breaker, maxEntries: 20_000 });
  const off = storeOn(proxy.url(), { breaker, maxEntries: 20_000, recovery: { journal: false } });
  try {
    await Promise.all([withJournal.ready(), off.ready()]);
    // Listening first: the cut connection may fail the stores over before down() resolves.
    const failovers = [withJournal, off].map((store) => nextEvent(store, 'failover'));
    await proxy.down();
    for (const store of [withJournal, off]) {
      await store.set('bench:probe', values[0]!).catch(() => undefined);
    }
    await Promise.all(failovers);
    const writeMs: Array<{ journal: number; off: number }> = [];
    for (let pass = 0; pass < WRITE_PASSES; pass++) {
      // Alternate which store goes first, so neither always runs on a warmer machine.
      const order = pass % 2 === 0 ? [withJournal, off] : [off, withJournal];
      const timing = new Map<ResilientStore, number>();
      for (const store of order) timing.set(store, await writeAll(store, values));
      writeMs.push({ journal: timing.get(withJournal)!, off: timing.get(off)! });
    }
    const onKeys = (variant: Variant, name: VariantName): Variant => ({
      ...variant,
      name,
      keys: OUTAGE_KEYS,
    });
    // Memory answers everything here: attempt errors are expected, none is excluded.
    const cells: Cell[] = OPERATIONS.flatMap((operation) =>
      IN_FLIGHT.map((inFlight) => ({
        operation,
        inFlight,
        pair: { autoPipelining: true, storeErrors: () => 0 },
        variants: [
          onKeys(storeVariant(operation, withJournal), 'store-journal-10k'),
          onKeys(storeVariant(operation, off), 'store-no-journal'),
        ],
      })),
    );
    const runs = await runRounds(cells, values, plan);
    return { writeMs, runs };
  } finally {
    await proxy.up();
    await Promise.all([withJournal.close(), off.close()]);
  }
}

/** Writes every outage key once, `WRITE_IN_FLIGHT` at a time; answers the time taken (ms). */
async function writeAll(store: ResilientStore, values: readonly CachedValue[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < OUTAGE_KEYS.length) {
      const i = next++;
      await store.set(OUTAGE_KEYS[i]!, values[i % values.length]!, { ttl: TTL_MS });
    }
  };
  await Promise.all(Array.from({ length: WRITE_IN_FLIGHT }, worker));
  return performance.now() - started;
}

/** The store's next `name` event; rejects after `timeoutMs` rather than hang the run. */
export function nextEvent<E extends StoreEventName>(
  store: ResilientStore,
  name: E,
  timeoutMs = 30_000,
): Promise<StoreEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.off(name, listener);
      reject(
        new Error(`no "${name}" event within ${timeoutMs} ms: ${JSON.stringify(store.health())}`),
      );
    }, timeoutMs);
    const listener = (payload: StoreEvents[E]) => {
      clearTimeout(timer);
      resolve(payload);
    };
    store.once(name, listener);
  });
}
