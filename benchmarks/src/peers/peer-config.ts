/**
 * How long each part of `pnpm bench:peers` runs. The defaults keep the whole run near ten
 * minutes on two cores (the limit is fifteen); the smoke test passes tiny ones.
 */

export interface ThroughputPlan {
  /** Approximate wall time of the throughput rounds, warm-up included. */
  readonly seconds: number;
  /** Measured rounds; undefined: as many 30 ms-slice rounds as fit `seconds`. */
  readonly rounds: number | undefined;
}

export interface OutagePlan {
  /** Load before the fault, to measure the healthy rate the recovery is judged against. */
  readonly beforeMs: number;
  /** How long Redis stays hung or down. */
  readonly faultMs: number;
  /** Load after Redis is back. */
  readonly afterMs: number;
  /** Operations in flight: each worker awaits its operation before issuing the next. */
  readonly workers: number;
  /** Keys each worker owns, so it knows what it last wrote to each (read-your-writes). */
  readonly keysPerWorker: number;
  /** Every how many operations of a worker one is a set (5: an 80/20 get/set mix). */
  readonly setEvery: number;
  /** Width of the timeline's buckets (the charts' resolution). */
  readonly bucketMs: number;
  /** How long the end of a run waits for operations still hanging before counting them hung. */
  readonly hangCapMs: number;
}

export const SCENARIOS = ['stall', 'kill', 'startup'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_TITLES: Readonly<Record<ScenarioName, string>> = {
  stall: 'Redis hung (SIGSTOP, then SIGCONT)',
  kill: 'Redis killed (SIGKILL), restarted on the same port',
  startup: 'Redis unreachable at startup, started later',
};

export const DEFAULT_OUTAGE_PLAN: OutagePlan = {
  beforeMs: 2000,
  faultMs: 5000,
  afterMs: 5000,
  workers: 100,
  keysPerWorker: 4,
  setEvery: 5,
  bucketMs: 250,
  hangCapMs: 5000,
};

function numberFrom(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** PEERS_THROUGHPUT_SECONDS (default 150) and PEERS_ROUNDS from the environment. */
export function throughputPlanFromEnv(): ThroughputPlan {
  return {
    seconds: numberFrom('PEERS_THROUGHPUT_SECONDS', 150, 1),
    rounds: process.env.PEERS_ROUNDS ? Math.round(numberFrom('PEERS_ROUNDS', 1, 1)) : undefined,
  };
}

/** PEERS_FAULT_MS (default 5000): the length of every stall and outage. */
export function outagePlanFromEnv(): OutagePlan {
  return { ...DEFAULT_OUTAGE_PLAN, faultMs: numberFrom('PEERS_FAULT_MS', 5000, 100) };
}
