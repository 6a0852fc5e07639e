import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMemcached, startRedis } from '@resilient-store/testkit';
import {
  checkHistory,
  historyNow,
  mergeHistories,
  parseHistory,
} from '@resilient-store/testkit/history';
import { describe, expect, it, onTestFinished } from 'vitest';
import { until } from '../helpers.js';
import {
  crossKey,
  type Message,
  type Request,
  type Status,
} from './fixtures/two-process-messages.js';

/**
 * Two processes share one Redis and one Memcached, each with a store
 * [redis, memcached, memory] under load over the same keys. Redis is killed: both fail
 * over to Memcached and read each other's writes there. Redis comes back empty (no
 * persistence) once every load key was written during the outage, so each key's
 * newest value is one a journal replays. Each step waits for a condition the
 * processes report, never for time. After both stores serve every key from Redis
 * again, each reads every key once more, and the merged history must show no stale,
 * lost or backwards read from Redis's return on (`checkHistory` with convergence).
 *
 * Not checked during the outage: a write Redis acknowledged just before it was killed
 * is gone with it and was never journaled (it succeeded), while Memcached still holds
 * the other process's older write of that key, made after that process had failed
 * over. Until someone writes the key again during the outage, the writer reads that
 * older value (seen: its own delete, then the other's older set). No store in one
 * process can know of it; the test prints how many such reads it saw.
 */

type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** A child process of the scenario, with its requests' answers and the events it reported. */
class Child {
  readonly events: Array<{ name: string; payload: Record<string, unknown> }> = [];
  readonly #process: ChildProcess;
  readonly #waiting = new Map<number, (message: Message) => void>();
  #nextId = 1;
  #failure: Error | undefined;

  constructor(
    readonly name: string,
    redisUrl: string,
    memcachedUrl: string,
  ) {
    const script = fileURLToPath(new URL('./fixtures/two-process-child.ts', import.meta.url));
    this.#process = fork(script, [name, redisUrl, memcachedUrl], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#process.on('message', (message: Message) => {
      if (message.type === 'event') this.events.push(message);
      else if (message.type === 'failed') this.#fail(new Error(`${name}: ${message.error}`));
      else {
        this.#waiting.get(message.id)?.(message);
        this.#waiting.delete(message.id);
      }
    });
    this.#process.on('exit', (code) => {
      if (this.#waiting.size > 0)
        this.#fail(new Error(`${name} exited (${String(code)}) while asked`));
    });
  }

  /** Sends a request; resolves with the child's answer, rejects if it failed or exited first. */
  ask(body: RequestBody): Promise<Message> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, resolve);
      this.#rejectors.set(id, reject);
      this.#process.send({ ...body, id } satisfies Request);
    }).finally(() => this.#rejectors.delete(id)) as Promise<Message>;
  }

  async status(): Promise<Status> {
    const answer = await this.ask({ type: 'status' });
    if (answer.type !== 'status') throw new Error(`${this.name}: unexpected ${answer.type}`);
    return answer.status;
  }

  has(name: string, payload: Record<string, unknown>): boolean {
    return this.events.some(
      (event) =>
        event.name === name &&
        Object.entries(payload).every(([field, value]) => event.payload[field] === value),
    );
  }

  kill(): void {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill();
  }

  readonly #rejectors = new Map<number, (error: Error) => void>();

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const reject of this.#rejectors.values()) reject(error);
    this.#rejectors.clear();
    this.#waiting.clear();
  }
}

async function both<T>(
  children: readonly Child[],
  each: (child: Child) => Promise<T>,
): Promise<T[]> {
  return Promise.all(children.map(each));
}

describe('scenario: [redis, memcached, memory] in two processes, Redis killed under load', () => {
  it('both fail over to Memcached, read each other there, and after recovery no read is stale or lost', async () => {
    const redis = await startRedis();
    const memcached = await startMemcached();
    const children = ['A', 'B'].map((name) => new Child(name, redis.url, memcached.url));
    onTestFinished(() => {
      for (const child of children) child.kill();
    });
    const [a, b] = children as [Child, Child];

    // Under load on Redis.
    expect(
      await both(children, async (child) => (await child.ask({ type: 'load' })) as unknown),
    ).toEqual([
      expect.objectContaining({ value: 'redis' }),
      expect.objectContaining({ value: 'redis' }),
    ]);
    for (const child of children) {
      await until(`${child.name} under load`, async () => (await child.status()).ops >= 200);
    }

    // Redis killed: both fail over to Memcached.
    await redis.kill();
    for (const child of children) {
      await until(`${child.name} failed over`, () =>
        child.has('failover', { from: 'redis', to: 'memcached' }),
      );
    }
    await both(children, (child) => child.ask({ type: 'mark' }));

    // Each reads what the other wrote during the outage: Memcached is shared.
    for (const [writer, reader] of [
      [a, b],
      [b, a],
    ] as const) {
      await writer.ask({ type: 'write', key: crossKey(writer.name) });
      const read = await reader.ask({ type: 'read', key: crossKey(writer.name) });
      expect(read).toMatchObject({ value: { k: crossKey(writer.name), p: writer.name } });
    }

    // Every load key written during the outage, so Redis, back empty, gets each from a journal.
    await until(
      'every load key written during the outage',
      async () => {
        const written = new Set(
          (await both(children, (c) => c.status())).flatMap((s) => s.writtenSinceMark),
        );
        return written.size === 12;
      },
      20_000,
    );
    await redis.restart();
    const returnedAt = historyNow();
    for (const child of children) {
      await until(
        `${child.name} recovered`,
        () => child.has('recovered', { backend: 'redis' }),
        15_000,
      );
      await until(
        `${child.name} reconciled`,
        () => child.has('reconciled', { backend: 'redis' }),
        15_000,
      );
    }
    // The load goes on across both recoveries, then stops.
    const before = await both(children, (c) => c.status());
    await until('load after the recoveries', async () => {
      const now = await both(children, (c) => c.status());
      return now.every((s, i) => s.ops >= (before[i] as Status).ops + 200);
    });
    const statuses = await both(children, async (child) => {
      await child.ask({ type: 'stop' });
      return child.status();
    });
    expect(statuses.map((s) => s.errors)).toEqual([0, 0]);

    // Quiet: both serve every key from Redis (nothing left journaled), then read each once.
    for (const child of children) {
      await until(
        `${child.name} serves every key from Redis`,
        async () => {
          const answer = await child.ask({ type: 'settled' });
          return answer.type === 'settled' && answer.onPrimary;
        },
        15_000,
      );
    }
    const convergedAfter = historyNow();
    const histories = await both(children, async (child) => {
      const answer = await child.ask({ type: 'finish' });
      if (answer.type !== 'history') throw new Error(`${child.name}: unexpected ${answer.type}`);
      return parseHistory(answer.history);
    });

    const history = mergeHistories(...histories);
    const report = checkHistory(history, { convergedAfter });
    const start = Math.min(...history.ops.map((op) => op.invokedAt));
    // From Redis's return on: nothing stale, backwards, resurrected or lost, and convergence.
    const afterReturn = report.violations.filter((v) => (v.ops[0]?.invokedAt ?? 0) >= returnedAt);
    expect(
      afterReturn.map((v) => v.message),
      `Redis returned at +${(returnedAt - start).toFixed(1)} ms`,
    ).toEqual([]);
    // During the outage a process can read an older value: see the note at the top.
    const duringOutage = report.violations.length - afterReturn.length;
    if (duringOutage > 0) {
      console.info(
        `two processes: ${duringOutage} read(s) during the outage older than their own last write, which Redis acknowledged before it was killed`,
      );
    }
    expect(report.reads).toBeGreaterThan(400);
    expect(report.writes).toBeGreaterThan(300);
  }, 60_000);
});
