/**
 * `pnpm bench:path`: the store's own cost per call, in nanoseconds, without Redis.
 *
 * The Redis benchmark judges the targets, but its ratios move by a few percent from run
 * to run, more than most changes to the store's hot path. Here the backend is in-process
 * and answers like a socket would: every call pending at the end of a turn of the event
 * loop is answered together from `setImmediate`, with a fresh Buffer per get. Like the
 * Redis backend, it offers the store an abort for each get and set (`CallControl`). With
 * nothing else to wait for, the run is CPU-bound and the differences are the code's.
 *
 *   raw       await backend.get(k) + JSON.parse / await backend.set(k, JSON.stringify(v))
 *   store     store.get(k) / store.set(k, v, { ttl }) over [that backend, memory]
 *   wrapping  the same store over the same backend without its abort: the store then
 *             bounds each call with a promise of its own, as it must for such backends
 *
 * 100 calls in flight; variants interleaved in mirrored order, 20 rounds.
 *   BENCH_PATH_ROUNDS  rounds (default 20)
 *   BENCH_PATH_OPS     calls per variant per round (default 100000)
 */
import {
  type Backend,
  type CallControl,
  memoryBackend,
  ResilientStore,
  type StoredValue,
  silentLogger,
} from '@resilient-store/core';
import { TTL_MS } from './config.js';
import { type CachedValue, keysFor, makeValues } from './fixtures.js';
import { median, rotate } from './stats.js';
import { renderTable } from './table.js';

const IN_FLIGHT = 100;
const ROUNDS = Number(process.env.BENCH_PATH_ROUNDS ?? 20);
const OPS = Number(process.env.BENCH_PATH_OPS ?? 100_000);

/** Answers every call of a turn together, like replies read from one socket. */
class TurnBatchedBackend implements Backend {
  readonly capabilities = {
    shared: true,
    persistent: false,
    maxKeyBytes: 512 * 1024 * 1024,
    maxValueBytes: 512 * 1024 * 1024,
  };
  private readonly data = new Map<string, Buffer>();
  private pending: Array<() => void> = [];

  constructor(
    readonly name: string,
    private readonly offersAbort: boolean,
  ) {}

  private later<T>(answer: () => T, control: CallControl | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(this.flush);
      this.pending.push(() => resolve(answer()));
      if (control && this.offersAbort) control.abort = reject;
    });
  }

  private readonly flush = (): void => {
    const due = this.pending;
    this.pending = [];
    for (const answer of due) answer();
  };

  get(key: string, control?: CallControl): Promise<Buffer | undefined> {
    return this.later(() => {
      const stored = this.data.get(key);
      return stored === undefined ? undefined : Buffer.from(stored);
    }, control);
  }
  set(
    key: string,
    value: StoredValue,
    _ttlMs: number | undefined,
    control?: CallControl,
  ): Promise<void> {
    return this.later(() => {
      this.data.set(key, Buffer.from(value));
    }, control);
  }
  async getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    return keys.map((k) => this.data.get(k));
  }
  async setMany(): Promise<void> {}
  async delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }
  async deleteMany(): Promise<number> {
    return 0;
  }
  async clear(): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

type Call = (key: string, value: CachedValue) => Promise<unknown>;

async function timeCalls(call: Call, keys: readonly string[], values: readonly CachedValue[]) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < OPS) {
      const i = next++;
      await call(keys[i % keys.length]!, values[i % values.length]!);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return Number(process.hrtime.bigint() - started) / OPS;
}

async function main(): Promise<void> {
  const values = makeValues();
  const rawBackend = new TurnBatchedBackend('raw', true);
  const storeOver = (offersAbort: boolean) =>
    new ResilientStore({
      backends: [new TurnBatchedBackend('inproc', offersAbort), memoryBackend()],
      logger: silentLogger,
    });
  const store = storeOver(true);
  const wrapping = storeOver(false);
  const rawKeys = keysFor('path:raw');
  const storeKeys = keysFor('path:rst');
  for (const [i, key] of rawKeys.entries()) {
    const value = values[i % values.length];
    await rawBackend.set(key, JSON.stringify(value), undefined);
    await Promise.all([store.set(storeKeys[i]!, value), wrapping.set(storeKeys[i]!, value)]);
  }

  const rawGet: Call = async (key) => {
    const bytes = await rawBackend.get(key);
    return bytes === undefined ? undefined : JSON.parse(bytes.toString());
  };
  const rawSet: Call = (key, value) => rawBackend.set(key, JSON.stringify(value), undefined);
  const rows = [
    {
      op: 'get',
      variants: {
        raw: rawGet,
        store: (k: string) => store.get(k),
        wrapping: (k: string) => wrapping.get(k),
      },
    },
    {
      op: 'set',
      variants: {
        raw: rawSet,
        store: (k: string, v: CachedValue) => store.set(k, v, { ttl: TTL_MS }),
        wrapping: (k: string, v: CachedValue) => wrapping.set(k, v, { ttl: TTL_MS }),
      },
    },
  ] as const;

  console.log(
    `store path: ${IN_FLIGHT} in flight, ${OPS.toLocaleString('en-US')} calls per variant per round, ${ROUNDS} rounds (node ${process.version})`,
  );
  const body: string[][] = [];
  for (const { op, variants } of rows) {
    const names = Object.keys(variants) as Array<keyof typeof variants>;
    const ns: Record<string, number[]> = { raw: [], store: [], wrapping: [] };
    for (let round = -1; round < ROUNDS; round++) {
      const order = rotate(names, round + 1);
      for (const name of [...order, ...[...order].reverse()]) {
        const keys = name === 'raw' ? rawKeys : storeKeys;
        const perCall = await timeCalls(variants[name] as Call, keys, values);
        // Round -1 warms up the JIT; its numbers are thrown away.
        if (round >= 0) ns[name]!.push(perCall);
      }
    }
    const [raw, mine, wrapped] = [median(ns.raw!), median(ns.store!), median(ns.wrapping!)];
    const plus = (n: number) => `${n < 0 ? '' : '+'}${n.toFixed(0)}`;
    body.push([
      op,
      raw.toFixed(0),
      mine.toFixed(0),
      plus(mine - raw),
      wrapped.toFixed(0),
      plus(wrapped - raw),
    ]);
  }
  console.log(
    renderTable(
      [
        { title: 'op', align: 'left' },
        { title: 'raw ns/call', align: 'right' },
        { title: 'store ns/call', align: 'right' },
        { title: 'store-raw', align: 'right' },
        { title: 'wrapping ns/call', align: 'right' },
        { title: 'wrapping-raw', align: 'right' },
      ],
      body,
    ),
  );
  console.log('Each figure is a median over rounds (each round runs every variant twice).');
  await Promise.all([store.close(), wrapping.close()]);
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
