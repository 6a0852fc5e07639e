/**
 * The load a fault scenario runs: `workers` callers in a closed loop (each awaits its
 * operation before the next, like request handlers awaiting their cache), an 80/20 mix of
 * gets and sets over keys each worker owns. Owning its keys, a worker knows the last write
 * the cache acknowledged for each, so every get checks read-your-writes: a value older than
 * that acknowledged write is a stale read; no value at all for a key with an acknowledged
 * write is a miss (a restarted Redis has lost its data, which is a miss, not a stale read).
 *
 * Nothing bounds a single operation here: a library that lets a call hang makes its caller
 * wait, and that wait is what the stall and latency figures report.
 */
import type { CachedValue } from '../fixtures.js';
import type { PeerCache } from './peer.js';
import type { OutagePlan } from './peer-config.js';

/** What the callers saw in one phase (before, during, after the fault), by operation start. */
export interface PhaseFigures {
  readonly answered: number;
  readonly answeredPerSec: number;
  readonly errors: number;
  readonly misses: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface TimelineBucket {
  /** Bucket start, ms since the load started. */
  readonly atMs: number;
  readonly answeredPerSec: number;
  readonly errorsPerSec: number;
}

export interface LoadOutcome {
  readonly phases: { before: PhaseFigures; during: PhaseFigures; after: PhaseFigures };
  /**
   * Latency of every call in flight at some moment of the fault, whenever it started: a
   * call issued just before a stall and answered after it is the one a caller waited on.
   */
  readonly inFault: { calls: number; p50Ms: number; p99Ms: number; maxMs: number };
  readonly timeline: TimelineBucket[];
  /** From the fault's start to the first answer (value or miss) to an operation started after it. */
  readonly firstAnswerAfterFaultMs: number | undefined;
  /** From the load's start to its first answer. */
  readonly firstAnswerMs: number | undefined;
  /** Longest time, from the fault's start on, in which no caller got any answer. */
  readonly longestStallMs: number;
  readonly staleReads: number;
  /** Operations still unanswered `hangCapMs` after the load stopped issuing new ones. */
  readonly hungAtEnd: number;
  /** A few distinct error messages the callers saw, to say how a library failed. */
  readonly errorMessages: string[];
}

export interface FaultWindow {
  /** ms since the load started; set by the scenario as the fault begins and ends. */
  startMs: number;
  endMs: number;
}

type Outcome = 'answered' | 'miss' | 'error';

interface PhaseTally {
  answered: number;
  errors: number;
  misses: number;
  latencies: number[];
}

const newTally = (): PhaseTally => ({ answered: 0, errors: 0, misses: 0, latencies: [] });

function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function figures(t: PhaseTally, seconds: number): PhaseFigures {
  const sorted = Float64Array.from(t.latencies).sort();
  return {
    answered: t.answered,
    answeredPerSec: seconds > 0 ? t.answered / seconds : Number.NaN,
    errors: t.errors,
    misses: t.misses,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** A worker's value for its `seq`-th write: a fixture value stamped with the sequence number. */
function stamped(base: CachedValue, seq: number): CachedValue {
  return { ...base, updatedAt: seq };
}

/** Writes every worker's keys once (sequence 0) before the load, so gets start as hits. */
export async function seedKeys(
  cache: PeerCache,
  plan: OutagePlan,
  values: readonly CachedValue[],
): Promise<void> {
  await Promise.all(
    Array.from({ length: plan.workers }, async (_, w) => {
      for (let k = 0; k < plan.keysPerWorker; k++) {
        await cache.set(`o:${w}:${k}`, stamped(values[w % values.length]!, 0));
      }
    }),
  );
}

/**
 * Runs the load for `durationMs` from `startedAt` (a `performance.now()` time); `window`
 * is read when the load ends, so the scenario fills it in while the load runs.
 */
export async function runLoad(
  cache: PeerCache,
  plan: OutagePlan,
  values: readonly CachedValue[],
  startedAt: number,
  durationMs: () => number,
  window: FaultWindow,
  seeded: boolean,
): Promise<LoadOutcome> {
  // Columns rather than an object per answer: a fast library answers millions of times.
  // Pushed as answers arrive, so they are in order of `answeredAt`.
  const answeredAt: number[] = [];
  const startedAtMs: number[] = [];
  const outcome: Outcome[] = [];
  const messages = new Set<string>();
  let staleReads = 0;
  let stopped = false;
  let pending = 0;

  // A library that answers from memory resolves its promises at once, so the workers
  // would run on microtasks alone and starve every timer and socket: the fault schedule,
  // the Redis watcher, the library's own reconnects. A real server returns to the event
  // loop between requests; here every worker waits for one turn of it every ~2 ms.
  let turn: Promise<void> | undefined;
  let lastTurnAt = performance.now();
  const turnIfDue = (): Promise<void> | undefined => {
    if (turn === undefined && performance.now() - lastTurnAt < 2) return undefined;
    turn ??= new Promise((resolve) =>
      setImmediate(() => {
        turn = undefined;
        lastTurnAt = performance.now();
        resolve();
      }),
    );
    return turn;
  };

  const worker = async (w: number): Promise<void> => {
    const base = values[w % values.length]!;
    // Per key: the newest write the cache acknowledged (-1: none yet).
    const acked = Array.from({ length: plan.keysPerWorker }, (): number => (seeded ? 0 : -1));
    let seq = 0;
    for (let n = 0; !stopped; n++) {
      const due = turnIfDue();
      if (due) await due;
      const k = n % plan.keysPerWorker;
      const isSet = n % plan.setEvery === plan.setEvery - 1;
      const startMs = performance.now() - startedAt;
      if (startMs >= durationMs()) break;
      pending++;
      let result: Outcome = 'answered';
      try {
        if (isSet) {
          seq++;
          await cache.set(`o:${w}:${k}`, stamped(base, seq));
          acked[k] = seq;
        } else {
          const value = await cache.get(`o:${w}:${k}`);
          // Nothing for a key never written (startup) is the right answer, not a miss.
          if (value === undefined) result = acked[k]! >= 0 ? 'miss' : 'answered';
          else if (value.updatedAt < acked[k]!) staleReads++;
        }
      } catch (error) {
        result = 'error';
        if (messages.size < 3) messages.add(error instanceof Error ? error.message : String(error));
      } finally {
        pending--;
      }
      answeredAt.push(performance.now() - startedAt);
      startedAtMs.push(startMs);
      outcome.push(result);
    }
  };

  const all = Promise.all(Array.from({ length: plan.workers }, (_, w) => worker(w)));
  // The run ends when its time is up; operations then still hanging get `hangCapMs` more.
  while (performance.now() - startedAt < durationMs()) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  let capTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    all,
    new Promise((resolve) => {
      capTimer = setTimeout(resolve, plan.hangCapMs);
    }),
  ]);
  clearTimeout(capTimer);
  stopped = true;
  const hungAtEnd = pending;

  const endMs = durationMs();
  const tallies = { before: newTally(), during: newTally(), after: newTally() };
  // Whole buckets only: a last partial one would show a drop that is only the run ending.
  const buckets = Math.floor(endMs / plan.bucketMs);
  const answered = new Array<number>(buckets).fill(0);
  const failed = new Array<number>(buckets).fill(0);
  let firstAnswerMs: number | undefined;
  let firstAnswerAfterFaultMs: number | undefined;
  let longestStallMs = 0;
  let lastAnswerMs = window.startMs;
  const inFault = newTally();
  for (let i = 0; i < answeredAt.length; i++) {
    const atMs = answeredAt[i]!;
    const startMs = startedAtMs[i]!;
    if (startMs < window.endMs && atMs > window.startMs) inFault.latencies.push(atMs - startMs);
    const phase = startMs < window.startMs ? 'before' : startMs < window.endMs ? 'during' : 'after';
    const tally = tallies[phase];
    tally.latencies.push(atMs - startMs);
    const bucket = Math.floor(atMs / plan.bucketMs);
    if (outcome[i] === 'error') {
      tally.errors++;
      if (bucket < buckets) failed[bucket]!++;
      continue;
    }
    tally.answered++;
    if (outcome[i] === 'miss') tally.misses++;
    if (bucket < buckets) answered[bucket]!++;
    firstAnswerMs ??= atMs;
    if (startMs >= window.startMs) firstAnswerAfterFaultMs ??= atMs - window.startMs;
    if (atMs >= window.startMs) {
      longestStallMs = Math.max(longestStallMs, atMs - lastAnswerMs);
      lastAnswerMs = atMs;
    }
  }
  longestStallMs = Math.max(longestStallMs, endMs - lastAnswerMs);
  const seconds = {
    before: window.startMs / 1000,
    during: (window.endMs - window.startMs) / 1000,
    after: (endMs - window.endMs) / 1000,
  };
  const perSec = 1000 / plan.bucketMs;
  return {
    phases: {
      before: figures(tallies.before, seconds.before),
      during: figures(tallies.during, seconds.during),
      after: figures(tallies.after, seconds.after),
    },
    inFault: (({ p50Ms, p99Ms, maxMs }) => ({
      calls: inFault.latencies.length,
      p50Ms,
      p99Ms,
      maxMs,
    }))(figures(inFault, 1)),
    timeline: answered.map((n, i) => ({
      atMs: i * plan.bucketMs,
      answeredPerSec: n * perSec,
      errorsPerSec: failed[i]! * perSec,
    })),
    firstAnswerAfterFaultMs,
    firstAnswerMs,
    longestStallMs,
    staleReads,
    hungAtEnd,
    errorMessages: [...messages],
  };
}
