/**
 * The ceiling: keys per second read through each library's many-keys call, against what
 * the same redis-server serves to `redis-benchmark -P 16 -t get` (16 pipelined GETs per
 * round trip, 50 connections, C client) in the same run. Nothing in Node reaches that; the
 * ratio says how much of the server each library's batch path leaves unused.
 */
import { spawn } from 'node:child_process';
import { median, rotate } from '../stats.js';
import type { Peer, PeerCache } from './peer.js';

export const BATCH_KEYS = 100;
export const BATCH_IN_FLIGHT = 10;
const ROUNDS = 5;
const SLICE_MS = 200;

export interface GetManyResult {
  readonly peer: string;
  /** Undefined when the library has no many-keys call. */
  readonly keysPerSec: number | undefined;
  /** keysPerSec over redis-benchmark's GETs per second. */
  readonly ofRedisBenchmark: number | undefined;
  readonly misses: number;
}

export interface GetManyRun {
  readonly redisBenchmarkGetsPerSec: number | undefined;
  /** Why redis-benchmark gave no figure, when it did not. */
  readonly redisBenchmarkProblem: string | undefined;
  readonly results: GetManyResult[];
}

async function slice(
  cache: PeerCache,
  keys: readonly string[],
): Promise<{ keys: number; misses: number; ms: number }> {
  const getMany = cache.getMany!;
  let read = 0;
  let misses = 0;
  let cursor = 0;
  const started = performance.now();
  const until = started + SLICE_MS;
  const worker = async () => {
    while (performance.now() < until) {
      const from = (cursor++ * BATCH_KEYS) % keys.length;
      const batch = [...keys.slice(from), ...keys].slice(0, BATCH_KEYS);
      const values = await getMany(batch);
      read += batch.length;
      misses += values.filter((v) => v === undefined).length;
    }
  };
  await Promise.all(Array.from({ length: BATCH_IN_FLIGHT }, worker));
  return { keys: read, misses, ms: performance.now() - started };
}

/** `redis-benchmark -P 16 -t set,get` against the server; the GET figure. */
function redisBenchmark(host: string, port: number): Promise<number> {
  const args = ['-h', host, '-p', String(port), '-P', '16', '-t', 'set,get', '-n', '1000000'];
  args.push('-r', '500', '-d', '112', '-q');
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', (error) =>
      reject(new Error(`redis-benchmark could not run (install redis-tools): ${error.message}`)),
    );
    child.on('close', () => {
      // -q prints progress with carriage returns, then "GET: 812345.67 requests per second, ...".
      const figure = /GET: ([\d.]+) requests per second/.exec(out)?.[1];
      if (figure === undefined)
        reject(new Error(`no GET figure in redis-benchmark output: ${out.slice(-200)}`));
      else resolve(Number(figure));
    });
  });
}

export async function measureGetMany(
  url: string,
  opened: readonly { peer: Peer; cache: PeerCache; keys: readonly string[] }[],
): Promise<GetManyRun> {
  const { hostname, port } = new URL(url);
  let redisBenchmarkGetsPerSec: number | undefined;
  let redisBenchmarkProblem: string | undefined;
  try {
    redisBenchmarkGetsPerSec = await redisBenchmark(hostname, Number(port));
  } catch (error) {
    redisBenchmarkProblem = error instanceof Error ? error.message : String(error);
  }
  const batching = opened.filter((o) => o.cache.getMany !== undefined);
  const perPeer = new Map<string, { rates: number[]; misses: number }>(
    batching.map((o) => [o.peer.name, { rates: [], misses: 0 }]),
  );
  for (let round = -1; round < ROUNDS; round++) {
    for (const { peer, cache, keys } of rotate(batching, round + 1)) {
      const s = await slice(cache, keys);
      if (round < 0) continue; // warm-up
      const tally = perPeer.get(peer.name)!;
      tally.rates.push((s.keys / s.ms) * 1000);
      tally.misses += s.misses;
    }
  }
  const results = opened.map(({ peer }): GetManyResult => {
    const tally = perPeer.get(peer.name);
    const keysPerSec = tally ? median(tally.rates) : undefined;
    return {
      peer: peer.name,
      keysPerSec,
      ofRedisBenchmark:
        keysPerSec !== undefined && redisBenchmarkGetsPerSec
          ? keysPerSec / redisBenchmarkGetsPerSec
          : undefined,
      misses: tally?.misses ?? 0,
    };
  });
  return { redisBenchmarkGetsPerSec, redisBenchmarkProblem, results };
}
