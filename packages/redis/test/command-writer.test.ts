import type { CallControl } from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisBackend, redisBackend } from '../src/index.js';
import { bytes, connected, rejectionOf, text, uniquePrefix } from './helpers.js';

/**
 * How the backend writes GET, SET and UNLINK on a single node (command-writer.ts):
 * one write per burst of commands, a lone command on an idle connection written within
 * its tick, commands given up on through `CallControl` settled at once and, when still
 * unsent, never sent.
 */

let server: RedisServer;
/** A plain client to look at the server independently of the backend. */
let probe: Redis;
const backends: RedisBackend[] = [];

beforeAll(async () => {
  server = await startRedis();
  probe = new Redis(server.url);
});

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

afterAll(async () => {
  probe?.disconnect();
  await server?.stop();
});

async function open(enableAutoPipelining: boolean): Promise<RedisBackend> {
  const backend = await connected(redisBackend({ url: server.url, enableAutoPipelining }));
  backends.push(backend);
  return backend;
}

/** Counts the writes that reach the backend's socket (one per syscall-sized chunk list). */
function countWrites(backend: RedisBackend): { readonly count: number } {
  const socket = (backend.client as Redis).stream as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const counter = { count: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      counter.count++;
      original(...args);
    };
  }
  return counter;
}

describe.each([
  { autoPipelining: true, label: 'auto-pipelining on' },
  { autoPipelining: false, label: 'auto-pipelining off' },
])('the command writer, $label', ({ autoPipelining }) => {
  it('writes the commands issued in one turn to the socket in one write, in order', async () => {
    const backend = await open(autoPipelining);
    const prefix = uniquePrefix('burst');
    const writes = countWrites(backend);
    const sets = Array.from({ length: 50 }, (_, i) =>
      backend.set(`${prefix}k`, bytes(`v${i}`), 60_000),
    );
    const reads = Array.from({ length: 50 }, (_, i) => backend.get(`${prefix}k${i}`));
    await Promise.all([...sets, ...reads]);
    expect(writes.count).toBe(1);
    // Fifty SETs of one key, applied in the order they were issued.
    expect(await probe.get(`${prefix}k`)).toBe('v49');
  });

  it('writes a command sent to an idle connection within its tick, not a turn later', async () => {
    const backend = await open(autoPipelining);
    const writes = countWrites(backend);
    const pending = backend.get(`${uniquePrefix('lone')}k`);
    // Queued after the writer's own end-of-tick flush, so it runs once that has.
    await new Promise((resolve) => process.nextTick(resolve));
    expect(writes.count).toBe(1);
    expect(await pending).toBeNull();
  });

  it("does not take an aborted GET's late reply for the next command's", async () => {
    const backend = await open(autoPipelining);
    const prefix = uniquePrefix('late-reply');
    await probe.set(`${prefix}a`, 'A');
    await probe.set(`${prefix}b`, 'B');
    await server.pause();
    const control: CallControl = { abort: undefined };
    let first: Promise<unknown>;
    try {
      first = backend.get(`${prefix}a`, control);
      // Written (or about to be) to a server that does not answer yet.
      await new Promise((resolve) => setImmediate(resolve));
      expect(control.abort).toBeTypeOf('function');
      const reason = new Error('given up');
      control.abort?.(reason);
      expect(await rejectionOf(first, 1_000)).toBe(reason);
    } finally {
      await server.resume();
    }
    expect(text(await backend.get(`${prefix}b`))).toBe('B');
    expect(text(await backend.get(`${prefix}a`))).toBe('A');
  });
});

describe('the command writer, auto-pipelining on', () => {
  it('holds a command sent while another awaits its reply until the end of the turn', async () => {
    const backend = await open(true);
    const prefix = uniquePrefix('in-flight');
    const writes = countWrites(backend);
    const endOfTick = () => new Promise((resolve) => process.nextTick(resolve));
    await server.pause();
    let first: Promise<unknown> | undefined;
    let second: Promise<unknown> | undefined;
    try {
      first = backend.get(`${prefix}a`);
      await endOfTick();
      expect(writes.count).toBe(1); // idle connection: written at once
      second = backend.get(`${prefix}b`);
      await endOfTick();
      expect(writes.count).toBe(1); // the first awaits its reply: held for the turn
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes.count).toBe(2);
    } finally {
      await server.resume();
    }
    expect(await Promise.all([first, second])).toEqual([null, null]);
  });

  it('never sends a SET given up on before the end of its turn', async () => {
    const backend = await open(true);
    const key = `${uniquePrefix('unsent')}k`;
    const control: CallControl = { abort: undefined };
    const pending = backend.set(key, bytes('never'), 60_000, control);
    const reason = new Error('given up');
    control.abort?.(reason);
    expect(await rejectionOf(pending, 1_000)).toBe(reason);
    // A command sent after it on the same connection has been answered, so it would have been too.
    expect(await backend.get(key)).toBeNull();
    expect(await probe.exists(key)).toBe(0);
  });
});
