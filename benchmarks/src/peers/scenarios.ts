/**
 * The fault scenarios, each on a fresh private redis-server started by the testkit, one
 * library at a time, under the same load (outage-load.ts):
 *
 * - stall: SIGSTOP after `beforeMs`, SIGCONT `faultMs` later (the handle's pause/resume);
 * - kill: SIGKILL after `beforeMs`, restarted on the same port `faultMs` later (data lost);
 * - startup: the server is killed before the library is opened, and started `faultMs`
 *   after the load began.
 *
 * Redis's own command counter, read from outside (redis-traffic.ts), says when each
 * library is back on Redis.
 */
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import type { CachedValue } from '../fixtures.js';
import { type FaultWindow, type LoadOutcome, runLoad, seedKeys } from './outage-load.js';
import type { Peer, PeerCache } from './peer.js';
import type { OutagePlan, ScenarioName } from './peer-config.js';
import { backOnRedisAfter, type TrafficSample, watchTraffic } from './redis-traffic.js';

export interface ScenarioResult extends LoadOutcome {
  readonly peer: string;
  readonly scenario: ScenarioName;
  readonly window: FaultWindow;
  /** How long `open` took (createStore waits for its backends; most libraries connect lazily). */
  readonly openMs: number;
  /** Set when `open` itself threw: the library could not even be started. */
  readonly openError: string | undefined;
  /** From the fault's end (SIGCONT, or the restarted server accepting) to traffic back on Redis. */
  readonly backOnRedisMs: number | undefined;
  /** The rate the return to Redis was judged against (commands/s). */
  readonly redisThreshold: number;
  readonly redisTraffic: TrafficSample[];
}

/** Back on Redis: at least this share of the library's healthy command rate, and never under the floor. */
const BACK_SHARE = 0.1;
const BACK_FLOOR_PER_SEC = 50;

const sleepUntil = async (startedAt: number, ms: number) => {
  const left = startedAt + ms - performance.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
}

export async function runScenario(
  scenario: ScenarioName,
  peer: Peer,
  plan: OutagePlan,
  values: readonly CachedValue[],
): Promise<ScenarioResult> {
  const server: RedisServer = await startRedis({ mode: 'local' });
  let cache: PeerCache | undefined;
  try {
    let openMs = 0;
    let openError: string | undefined;
    const open = async () => {
      const openedAt = performance.now();
      try {
        // A library whose start waits for Redis may wait past the outage; it gets until
        // the end of the run, as a caller would.
        cache = await Promise.race([
          peer.open(server.url),
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error('open() did not resolve before the run ended')),
              plan.faultMs + plan.afterMs,
            ).unref(),
          ),
        ]);
      } catch (error) {
        openError = error instanceof Error ? error.message : String(error);
      }
      openMs = performance.now() - openedAt;
    };
    if (scenario === 'startup') await server.kill();
    else {
      await open();
      if (cache) await seedKeys(cache, plan, values);
    }

    // The startup scenario's clock starts when the library is asked to open.
    const startedAt = performance.now();
    const faultStart = scenario === 'startup' ? 0 : plan.beforeMs;
    const window: FaultWindow = { startMs: faultStart, endMs: faultStart + plan.faultMs };
    let endMs = window.endMs + plan.afterMs;
    const traffic = watchTraffic(server.url, startedAt);
    const fault = (async () => {
      await sleepUntil(startedAt, faultStart);
      if (scenario !== 'startup') {
        if (scenario === 'stall') await server.pause();
        else await server.kill();
        window.startMs = performance.now() - startedAt;
      }
      await sleepUntil(startedAt, faultStart + plan.faultMs);
      if (scenario === 'stall') await server.resume();
      else await server.restart();
      window.endMs = performance.now() - startedAt;
      // A restart takes a moment: the after phase keeps its full length.
      endMs = window.endMs + plan.afterMs;
    })();
    if (scenario === 'startup') await open();
    const outcome = cache
      ? await runLoad(cache, plan, values, startedAt, () => endMs, window, scenario !== 'startup')
      : undefined;
    await fault;
    if (!outcome) await sleepUntil(startedAt, endMs);
    // Only windows inside the load: after it stops, every library's traffic falls to zero.
    const samples = (await traffic.stop()).filter((s) => s.atMs <= endMs);

    const { backOnRedisMs, redisThreshold } = judgeReturn(samples, window, endMs);
    return {
      ...(outcome ?? emptyOutcome(plan, endMs)),
      peer: peer.name,
      scenario,
      window,
      openMs,
      openError,
      backOnRedisMs,
      redisThreshold,
      redisTraffic: samples,
    };
  } finally {
    await cache?.close();
    await server.stop();
  }
}

/** The last windows of a run see the load wind down; they say nothing about a return. */
const TAIL_MS = 300;

/**
 * When a library's traffic was back on Redis for good, from Redis's command counter: at
 * least 10% of its healthy rate (before the fault; for the startup scenario, its best rate
 * after), never less than 50 commands/s, in every window from then until the load's end.
 */
export function judgeReturn(
  samples: readonly TrafficSample[],
  window: FaultWindow,
  endMs: number,
): { backOnRedisMs: number | undefined; redisThreshold: number } {
  const judged = samples.filter((s) => s.atMs <= endMs - TAIL_MS);
  const healthy = judged.filter((s) => s.atMs < window.startMs).map((s) => s.commandsPerSec);
  const reference = healthy.length
    ? median(healthy)
    : Math.max(0, ...judged.filter((s) => s.atMs > window.endMs).map((s) => s.commandsPerSec));
  const redisThreshold = Math.max(BACK_FLOOR_PER_SEC, reference * BACK_SHARE);
  return { backOnRedisMs: backOnRedisAfter(judged, window.endMs, redisThreshold), redisThreshold };
}

/** What a library that could not be opened delivered: nothing. */
function emptyOutcome(plan: OutagePlan, endMs: number): LoadOutcome {
  const none = {
    answered: 0,
    answeredPerSec: 0,
    errors: 0,
    misses: 0,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
  };
  return {
    phases: { before: none, during: none, after: none },
    inFault: { calls: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN },
    timeline: Array.from({ length: Math.ceil(endMs / plan.bucketMs) }, (_, i) => ({
      atMs: i * plan.bucketMs,
      answeredPerSec: 0,
      errorsPerSec: 0,
    })),
    firstAnswerAfterFaultMs: undefined,
    firstAnswerMs: undefined,
    longestStallMs: endMs,
    staleReads: 0,
    hungAtEnd: 0,
    errorMessages: [],
  };
}
