/**
 * bench:recovery, part 3: how long a journal takes to replay into Redis, against the
 * same keys written by a plain pipelined SET loop in the same run.
 *
 * One round: the connection to Redis cut (fault proxy), N keys written into the store
 * (memory takes them, the journal names them), the connection restored; the store
 * recovers and replays — per batch of 500 keys, a read of the current values from
 * memory and one EVALSHA that writes each key only over an older stamp — and its
 * `reconciled` event says how long that took. Every key already held an older value
 * in Redis, so each replayed key is a real overwrite. The baseline then writes the
 * same number of keys, with the same stored bytes and TTL, as `SET k v PX ttl` in
 * pipelines of 500 sent one after another (the replay's batching), on another keyspace
 * populated the same way.
 */
import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import { redisBackend } from '@resilient-store/redis';
import type { FaultProxy } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { TTL_MS } from './config.js';
import type { CachedValue } from './fixtures.js';
import { nextEvent } from './recovery-journal.js';
import { median } from './stats.js';

/** The replay's batch (`REPLAY_BATCH_KEYS` in core's recovery/options.ts). */
const BATCH = 500;

export interface ReplayRow {
  readonly keys: number;
  /** Per round: the replay's own duration (`reconciled.durationMs`) and the SET loop's. */
  readonly rounds: ReadonlyArray<{ replayMs: number; setMs: number }>;
  readonly medianReplayMs: number;
  readonly medianSetMs: number;
  /** Median over rounds of replay / SET loop. */
  readonly ratio: number;
}

const keysOf = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}:${String(i).padStart(6, '0')}`);

export async function replayRounds(
  proxy: FaultProxy,
  directUrl: string,
  sizes: ReadonlyArray<{ keys: number; rounds: number }>,
  values: readonly CachedValue[],
  onRound: (line: string) => void,
): Promise<ReplayRow[]> {
  const largest = Math.max(...sizes.map((s) => s.keys));
  const store = new ResilientStore({
    namespace: 'replay',
    backends: [
      redisBackend({ url: proxy.url(), enableAutoPipelining: true, maxReconnectDelay: 200 }),
      memoryBackend({ maxEntries: largest * 2, maxBytes: 1024 * 1024 * 1024 }),
    ],
    logger: silentLogger,
    // Back on Redis soon after the connection is: a probe 300 ms after the breaker opened.
    breaker: { resetTimeout: 300 },
    recovery: { maxJournalKeys: largest * 2 },
  });
  const raw = new Redis(directUrl, { lazyConnect: true });
  try {
    await Promise.all([store.ready(), raw.connect()]);
    const rows: ReplayRow[] = [];
    for (const size of sizes) {
      const keys = keysOf('replay', size.keys);
      const baseKeys = keysOf('base:s', size.keys);
      // Older values everywhere first: every replayed key and every SET overwrites one.
      await writeInChunks(store, keys, values);
      const rounds: Array<{ replayMs: number; setMs: number }> = [];
      for (let round = 0; round < size.rounds; round++) {
        const replayMs = await replayOnce(store, proxy, keys, values);
        // The bytes the replay stored, so the SET loop writes exactly as much.
        const stored = await readStored(raw, keys);
        const setMs = await pipelinedSet(raw, baseKeys, stored);
        rounds.push({ replayMs, setMs });
        onRound(
          `  ${size.keys} keys, round ${round + 1}/${size.rounds}: replay ${replayMs} ms, pipelined SET ${Math.round(setMs)} ms`,
        );
      }
      rows.push({
        keys: size.keys,
        rounds,
        medianReplayMs: median(rounds.map((r) => r.replayMs)),
        medianSetMs: median(rounds.map((r) => r.setMs)),
        ratio: median(rounds.map((r) => r.replayMs / r.setMs)),
      });
    }
    return rows;
  } finally {
    raw.disconnect();
    await proxy.up();
    await store.close();
  }
}

/** One outage: cut, write `keys` into the journal, restore; answers the replay's duration. */
async function replayOnce(
  store: ResilientStore,
  proxy: FaultProxy,
  keys: readonly string[],
  values: readonly CachedValue[],
): Promise<number> {
  // Listening first: the cut connection may fail the store over before down() resolves.
  const failover = nextEvent(store, 'failover');
  await proxy.down();
  await store.set(keys[0]!, values[0]!, { ttl: TTL_MS }).catch(() => undefined);
  await failover;
  await writeInChunks(store, keys, values);
  if (store.health().active === 'redis') throw new Error('Redis served during the outage');
  const reconciled = nextEvent(store, 'reconciled');
  await proxy.up();
  const event = await reconciled;
  if (event.keys !== keys.length) {
    throw new Error(
      `replayed ${event.keys} keys, expected ${keys.length}: ${JSON.stringify(event)}`,
    );
  }
  return event.durationMs;
}

async function writeInChunks(
  store: ResilientStore,
  keys: readonly string[],
  values: readonly CachedValue[],
): Promise<void> {
  for (let start = 0; start < keys.length; start += 1_000) {
    const chunk = keys.slice(start, start + 1_000);
    await store.setMany(
      chunk.map((key, i) => ({ key, value: values[(start + i) % values.length]!, ttl: TTL_MS })),
    );
  }
}

/** The stored bytes of `keys` (namespaced as the store writes them), read in pipelines. */
async function readStored(raw: Redis, keys: readonly string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let start = 0; start < keys.length; start += BATCH) {
    const pipeline = raw.pipeline();
    for (const key of keys.slice(start, start + BATCH)) pipeline.getBuffer(`replay:${key}`);
    for (const [error, value] of (await pipeline.exec()) ?? []) {
      if (error !== null || !(value instanceof Buffer)) {
        throw new Error(`a replayed key is missing in Redis: ${String(error ?? value)}`);
      }
      out.push(value);
    }
  }
  return out;
}

/** `SET k v PX ttl` for every key, in pipelines of `BATCH` one after another; answers ms. */
async function pipelinedSet(
  raw: Redis,
  keys: readonly string[],
  stored: readonly Buffer[],
): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < keys.length; start += BATCH) {
    const pipeline = raw.pipeline();
    for (let i = start; i < Math.min(start + BATCH, keys.length); i++) {
      pipeline.set(keys[i]!, stored[i]!, 'PX', TTL_MS);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed) throw failed?.[0] ?? new Error('pipelined SET failed');
  }
  return performance.now() - started;
}
