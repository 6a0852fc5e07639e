/**
 * Hit and set throughput of every peer against one healthy redis-server, at 1 and 100 in
 * flight, through the overhead benchmark's interleaved schedule (schedule.ts: every peer
 * runs two short slices per round in a mirrored, rotated order). Ratios are per round
 * against plain ioredis measured in the same round, then the median is taken.
 */
import { type BenchConfig, planRounds } from '../config.js';
import { type CachedValue, keysFor } from '../fixtures.js';
import { type Cell, runRounds } from '../schedule.js';
import { median, quantile } from '../stats.js';
import { type GetManyRun, measureGetMany } from './get-many.js';
import type { Peer, PeerCache } from './peer.js';
import type { ThroughputPlan } from './peer-config.js';

export const THROUGHPUT_CELLS = [
  { operation: 'get', inFlight: 1 },
  { operation: 'get', inFlight: 100 },
  { operation: 'set', inFlight: 1 },
  { operation: 'set', inFlight: 100 },
] as const;

export interface ThroughputResult {
  readonly peer: string;
  readonly operation: 'get' | 'set';
  readonly inFlight: number;
  readonly medianOpsPerSec: number;
  /** Median over rounds of this peer's ops/s over the baseline's in the same round. */
  readonly ratio: number;
  readonly ratioQuartiles: [number, number];
  /** Mean time per operation from Little's law: in flight / throughput. */
  readonly meanLatencyUs: number;
  /** Gets that found nothing (must be 0) and calls that threw (must be 0). */
  readonly misses: number;
  readonly errors: number;
  readonly opsPerSecByRound: number[];
}

export interface ThroughputRun {
  readonly rounds: number;
  readonly sliceMs: number;
  readonly results: ThroughputResult[];
  /** Many-keys reads on the same populated keyspaces, against redis-benchmark. */
  readonly getMany: GetManyRun;
}

/** Keys of peer `index`: prefixes of equal length, so no peer has longer keys than another. */
function keysOf(index: number): string[] {
  return keysFor(`peer${String(index).padStart(2, '0')}`);
}

async function populate(cache: PeerCache, keys: readonly string[], values: readonly CachedValue[]) {
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map((key, j) => cache.set(key, values[(i + j) % values.length]!)),
    );
  }
  const back = await cache.get(keys[0]!);
  if (back?.id !== values[0]!.id) throw new Error('a populated key does not read back');
}

export async function measureThroughput(
  url: string,
  peers: readonly Peer[],
  baseline: Peer,
  values: readonly CachedValue[],
  plan: ThroughputPlan,
  log: (line: string) => void,
): Promise<ThroughputRun> {
  const opened: { peer: Peer; cache: PeerCache; keys: string[] }[] = [];
  const errors = new Map<string, number>();
  try {
    for (const [index, peer] of peers.entries()) {
      const cache = await peer.open(url);
      opened.push({ peer, cache, keys: keysOf(index) });
      await populate(cache, keysOf(index), values);
    }
    // A call that throws counts as a miss in the slice and is tallied here: a healthy Redis
    // should see none, and the report says so if one did.
    const guarded = (where: string, call: () => Promise<boolean>) => async () => {
      try {
        return await call();
      } catch {
        errors.set(where, (errors.get(where) ?? 0) + 1);
        return false;
      }
    };
    const cells: Cell<string>[] = THROUGHPUT_CELLS.map(({ operation, inFlight }) => ({
      operation,
      inFlight,
      pair: { autoPipelining: false, storeErrors: () => 0 },
      variants: opened.map(({ peer, cache, keys }) => ({
        name: peer.name,
        describes: peer.configuration,
        keys,
        run:
          operation === 'get'
            ? (key: string) =>
                guarded(
                  `${peer.name} ${operation} ${inFlight}`,
                  async () => (await cache.get(key)) !== undefined,
                )()
            : (key: string, value: CachedValue) =>
                guarded(`${peer.name} ${operation} ${inFlight}`, async () => {
                  await cache.set(key, value);
                  return true;
                })(),
      })),
    }));
    const variantsPerRound = cells.length * opened.length;
    const config: BenchConfig = {
      seconds: plan.seconds,
      rounds: plan.rounds,
      profile: undefined,
      profileVariant: 'store',
    };
    const { rounds, sliceMs } = planRounds(config, variantsPerRound);
    log(`throughput: ${rounds} rounds of ${sliceMs} ms slices, ${opened.length} peers x 4 cells`);
    const started = performance.now();
    const runs = await runRounds(cells, values, {
      rounds,
      sliceMs,
      warmUpMs: Math.min(300, sliceMs * 10),
      onRound: (round) => {
        if (round >= 0 && (round + 1) % 10 !== 0) return;
        log(
          `  round ${round + 1}/${rounds} at ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      },
    });
    const results = runs.flatMap((run) => {
      const base = run.samples.get(baseline.name) ?? [];
      return [...run.samples].map(([name, samples]): ThroughputResult => {
        const ratios = samples.flatMap((s) => {
          const other = base.find((b) => b.round === s.round);
          return other ? [s.opsPerSec / other.opsPerSec] : [];
        });
        const ops = median(samples.map((s) => s.opsPerSec));
        return {
          peer: name,
          operation: run.cell.operation,
          inFlight: run.cell.inFlight,
          medianOpsPerSec: ops,
          ratio: median(ratios),
          ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
          meanLatencyUs: (run.cell.inFlight / ops) * 1e6,
          misses: samples.reduce((n, s) => n + s.misses, 0),
          errors: errors.get(`${name} ${run.cell.operation} ${run.cell.inFlight}`) ?? 0,
          opsPerSecByRound: samples.map((s) => Math.round(s.opsPerSec)),
        };
      });
    });
    log(`getMany: batches of 100 keys, 10 in flight, and redis-benchmark -P 16 on the same server`);
    const getMany = await measureGetMany(url, opened);
    return { rounds, sliceMs, results, getMany };
  } finally {
    await Promise.all(opened.map(({ cache }) => cache.close()));
  }
}
