import {
  encodeValue,
  jsonSerializer,
  type StoredValue,
  stampAtWall,
  stampOf,
} from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CAS_ROUNDS } from '../src/conditional-writes.js';
import type { ServerConnection } from '../src/connection.js';
import { type MemcachedBackend, MemcachedReplyError, memcachedBackend } from '../src/index.js';
import { Opcode } from '../src/protocol.js';
import { connected, text, uniquePrefix } from './helpers.js';

/**
 * The compare-and-swap rounds of `setIfOlder` with another writer stepping in between a
 * round's read and its write. The step is a hook on the real connection's pipeline (the
 * writes go to a real memcached, through a second backend as another process would),
 * so each interleaving happens every time instead of by chance.
 */

const BASE = stampAtWall(1_732_000_000_000);
const value = (label: string, stamp: number): StoredValue =>
  encodeValue(label, jsonSerializer, stamp);
const entry = (key: string, stored: StoredValue, ttlMs?: number) => ({
  key,
  value: stored,
  ttlMs,
  stamp: stampOf(stored) as number,
});

let server: MemcachedServer;
let backend: MemcachedBackend;
/** Another process's backend: its own connection, so its writes do not pass the hook. */
let other: MemcachedBackend;

type Hook = (opcode: number, keys: string[]) => Promise<void> | void;
let hook: Hook | undefined;
/** Fails a pipeline after the server applied it, as a connection lost before the reply would. */
let loseReplyOf: number | undefined;

beforeAll(async () => {
  server = await startMemcached();
  backend = await connected(memcachedBackend({ servers: server.url }));
  other = await connected(memcachedBackend({ servers: server.url }));
  const connection = backend.connections[0] as ServerConnection;
  const pipeline = connection.pipeline.bind(connection);
  connection.pipeline = async (frames) => {
    const replies = await pipeline(frames);
    const opcode = frames[0]?.[1] ?? -1;
    if (loseReplyOf === opcode) {
      loseReplyOf = undefined;
      throw Object.assign(new Error('connection lost before the reply'), { retryable: true });
    }
    await hook?.(opcode, frames.map(frameKey));
    return replies;
  };
});

afterEach(() => {
  hook = undefined;
  loseReplyOf = undefined;
});

afterAll(async () => {
  await backend?.close();
  await other?.close();
  await server?.stop();
});

function frameKey(frame: Buffer): string {
  const extras = frame[4] as number;
  return frame.subarray(24 + extras, 24 + extras + frame.readUInt16BE(2)).toString('utf8');
}

/** Runs `step` after each read of `key` by a `setIfOlder` round; counts the rounds. */
function afterEachRead(key: string, step: (round: number) => Promise<unknown>): () => number {
  let rounds = 0;
  hook = async (opcode, keys) => {
    if (opcode !== Opcode.get || !keys.some((k) => k.endsWith(`:${key}`))) return;
    rounds++;
    await step(rounds);
  };
  return () => rounds;
}

describe('setIfOlder with another writer between the read and the compare-and-swap', () => {
  it('a newer write in between wins: the replay answers false and leaves it', async () => {
    const key = `${uniquePrefix('cas')}newer`;
    await backend.set(key, value('held', BASE), undefined);
    afterEachRead(key, async (round) => {
      if (round === 1) await other.set(key, value('newer', BASE + 9), undefined);
    });
    expect(await backend.conditional.setIfOlder([entry(key, value('replayed', BASE + 5))])).toEqual(
      [false],
    );
    expect(text(await backend.get(key))).toBe(text(value('newer', BASE + 9)));
  });

  it('an older write in between loses the next round: the replay answers true', async () => {
    const key = `${uniquePrefix('cas')}older`;
    await backend.set(key, value('held', BASE), undefined);
    const rounds = afterEachRead(key, async (round) => {
      if (round === 1) await other.set(key, value('older', BASE + 1), undefined);
    });
    expect(await backend.conditional.setIfOlder([entry(key, value('replayed', BASE + 5))])).toEqual(
      [true],
    );
    expect(rounds()).toBe(2);
    expect(text(await backend.get(key))).toBe(text(value('replayed', BASE + 5)));
  });

  it('a key added in between is compared, not overwritten (ADD refused)', async () => {
    const key = `${uniquePrefix('cas')}added`;
    const rounds = afterEachRead(key, async (round) => {
      if (round === 1) await other.set(key, value('added', BASE + 9), undefined);
    });
    expect(await backend.conditional.setIfOlder([entry(key, value('replayed', BASE + 5))])).toEqual(
      [false],
    );
    expect(rounds()).toBe(2);
    expect(text(await backend.get(key))).toBe(text(value('added', BASE + 9)));
  });

  it(`a key changed on every round rejects after ${MAX_CAS_ROUNDS} rounds; repeating the call succeeds`, async () => {
    const key = `${uniquePrefix('cas')}contended`;
    await backend.set(key, value('held', BASE), undefined);
    const rounds = afterEachRead(key, (round) =>
      other.set(key, value(`older ${round}`, BASE + round), undefined),
    );
    const replay = entry(key, value('replayed', BASE + 1000));
    await expect(backend.conditional.setIfOlder([replay])).rejects.toThrow(/can be repeated/);
    expect(rounds()).toBe(MAX_CAS_ROUNDS);
    hook = undefined;
    expect(await backend.conditional.setIfOlder([replay])).toEqual([true]);
    expect(text(await backend.get(key))).toBe(text(replay.value));
  });

  it('a write applied whose reply was lost is sent again and still answers true', async () => {
    const prefix = uniquePrefix('cas');
    const absent = `${prefix}absent`;
    const held = `${prefix}held`;
    await backend.set(held, value('held', BASE), undefined);
    loseReplyOf = Opcode.add;
    expect(await backend.conditional.setIfOlder([entry(absent, value('added', BASE))])).toEqual([
      true,
    ]);
    loseReplyOf = Opcode.set;
    expect(await backend.conditional.setIfOlder([entry(held, value('swapped', BASE + 1))])).toEqual(
      [true],
    );
    expect(loseReplyOf).toBeUndefined();
    expect(text(await backend.get(absent))).toBe(text(value('added', BASE)));
    expect(text(await backend.get(held))).toBe(text(value('swapped', BASE + 1)));
  });

  it('repeated keys of one batch go out as one write per key', async () => {
    const key = `${uniquePrefix('cas')}repeated`;
    let writes = 0;
    hook = (opcode, keys) => {
      if (opcode === Opcode.add || opcode === Opcode.set) writes += keys.length;
    };
    expect(
      await backend.conditional.setIfOlder([
        entry(key, value('first', BASE + 5)),
        entry(key, value('older', BASE + 3)),
        entry(key, value('newest', BASE + 9)),
      ]),
    ).toEqual([true, false, true]);
    expect(writes).toBe(1);
    expect(text(await backend.get(key))).toBe(text(value('newest', BASE + 9)));
  });
});

describe('error replies', () => {
  it("classify a status as this entry's problem or the server's", () => {
    expect(new MemcachedReplyError('set', 0x03).fault).toBe('entry');
    expect(new MemcachedReplyError('incr', 0x06).fault).toBe('entry');
    expect(new MemcachedReplyError('set', 0x82)).toMatchObject({
      fault: 'server',
      status: 0x82,
      message: 'memcached set: out of memory',
    });
    expect(new MemcachedReplyError('get', 0x99)).toMatchObject({
      fault: 'server',
      message: 'memcached get: status 0x99',
    });
  });
});
