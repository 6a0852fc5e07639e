/**
 * What the overhead benchmark measures and for how long. Everything a reader may want to
 * change from the shell is an environment variable; everything else is a constant here so
 * that the raw and the store variants can only ever run with the same settings.
 */

/** The project's overhead targets: store throughput as a fraction of raw ioredis. */
export const TARGETS: Readonly<Record<number, number>> = { 1: 0.95, 100: 0.92 };

export const IN_FLIGHT = [1, 100] as const;

/** Where the instrumented store is compared with the plain one (the load metrics are for). */
export const METRICS_IN_FLIGHT = 100;
/** Instrumented store throughput as a fraction of the same store uninstrumented. */
export const METRICS_TARGET = 0.95;
export const AUTO_PIPELINING = [true, false] as const;
export const OPERATIONS = ['get', 'set'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Keys per keyspace, all written before measuring so every get is a hit. */
export const KEY_COUNT = 500;

/**
 * TTL of every write. Long enough that nothing expires during a run, so a get can never
 * turn into a miss (which would make it cheaper) halfway through.
 */
export const TTL_MS = 10 * 60_000;

/**
 * Length of one measured slice. Short, so that the two sides of a comparison run within
 * a fraction of a second of each other and see the same machine: on a shared machine the
 * throughput of one side can double from one second to the next as neighbours come and go.
 * Shorter slices also mean more rounds in the same time, so a steadier median: comparing
 * raw-JSON with itself (an A/A run), 100 ms slices gave medians from 0.93 to 1.05 and
 * 30 ms slices 1.00 to 1.02.
 */
export const TARGET_SLICE_MS = 30;

/** Slices each variant runs per round (see schedule.ts: the order is mirrored). */
export const SLICES_PER_VARIANT = 2;

/** Unmeasured time per variant and cell before the first round: JIT, connections, Redis. */
export const WARM_UP_MS = 300;

/** Fewest measured rounds, whatever BENCH_SECONDS says. */
export const MIN_ROUNDS = 5;

export interface BenchConfig {
  /** Approximate wall time of the whole run (warm-up included), in seconds. */
  readonly seconds: number;
  /** Measured rounds (each runs every variant of every cell once); undefined: fill `seconds`. */
  readonly rounds: number | undefined;
  /** Profile mode: only this store operation at 100 in flight, for `seconds`. */
  readonly profile: Operation | undefined;
  /** Profile mode: the variant profiled (`store`, or a baseline for its own profile). */
  readonly profileVariant: ProfileVariant;
}

function numberFrom(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** BENCH_PROFILE: unset or empty for the full run; `1` or `get` for store.get; `set` for store.set. */
function profileFrom(raw: string | undefined): Operation | undefined {
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  if (raw === '1' || raw === 'get') return 'get';
  if (raw === 'set') return 'set';
  throw new Error(`BENCH_PROFILE must be 1, get or set, got ${JSON.stringify(raw)}`);
}

export type ProfileVariant = 'store' | 'raw-json' | 'backend';

/** BENCH_PROFILE_VARIANT: `store` (default), `raw-json` or `backend`, to profile a baseline alike. */
function profileVariantFrom(raw: string | undefined): ProfileVariant {
  if (raw === undefined || raw === '' || raw === 'store') return 'store';
  if (raw === 'raw-json' || raw === 'backend') return raw;
  throw new Error(
    `BENCH_PROFILE_VARIANT must be store, raw-json or backend, got ${JSON.stringify(raw)}`,
  );
}

export function readConfig(): BenchConfig {
  const profile = profileFrom(process.env.BENCH_PROFILE);
  return {
    // ~2 minutes by default: long enough for a stable median on a shared machine.
    seconds: numberFrom('BENCH_SECONDS', profile ? 20 : 110, 1),
    rounds: process.env.BENCH_ROUNDS ? Math.round(numberFrom('BENCH_ROUNDS', 0, 1)) : undefined,
    profile,
    profileVariant: profileVariantFrom(process.env.BENCH_PROFILE_VARIANT),
  };
}

/**
 * Rounds and slice length that fill `seconds`, for `variantsPerRound` variants (summed
 * over the cells) per round.
 */
export function planRounds(
  config: BenchConfig,
  variantsPerRound: number,
): { rounds: number; sliceMs: number } {
  const measuredMs = Math.max(0, config.seconds * 1000 - variantsPerRound * WARM_UP_MS);
  const slicesPerRound = variantsPerRound * SLICES_PER_VARIANT;
  if (config.rounds !== undefined) {
    return {
      rounds: config.rounds,
      sliceMs: Math.max(20, Math.round(measuredMs / (config.rounds * slicesPerRound))),
    };
  }
  const fits = Math.floor(measuredMs / (slicesPerRound * TARGET_SLICE_MS));
  // Odd, so the median is one measured round rather than the mean of two.
  const rounds = Math.max(MIN_ROUNDS, fits % 2 === 1 ? fits : fits - 1);
  return { rounds, sliceMs: TARGET_SLICE_MS };
}
