import type { StoredValue } from '@resilient-store/core';
import {
  describeBackendConformance,
  type RedisCluster,
  startRedisCluster,
} from '@resilient-store/testkit';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisBackend, redisBackend } from '../src/index.js';
import { bytes, connected, text, uniquePrefix, untilAvailable } from './helpers.js';

let cluster: RedisCluster;
let backend: RedisBackend;
/** An independent client to look at the cluster. */
let probe: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  backend = redisBackend({ cluster: cluster.startupNodes, name: 'redis-cluster' });
  probe = new Cluster([...cluster.startupNodes]);
  probe.on('error', () => {});
  await untilAvailable(backend.availability);
});

afterAll(async () => {
  await backend?.close();
  probe?.disconnect();
  await cluster?.stop();
});

/** `count` keys under `prefix` that together cover every master. */
async function keysOnEveryMaster(prefix: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const owners = new Set(
    await Promise.all(keys.map(async (key) => (await cluster.nodeForKey(key)).port)),
  );
  expect(owners.size).toBe(3);
  return keys;
}

describeBackendConformance(
  'redis cluster',
  () => connected(redisBackend({ cluster: cluster.startupNodes })),
  { ttlResolutionMs: 1, conditionalWrites: true },
);

// Runs after the conformance suite: its last test fails a master over for good.
describe('redisBackend on a 3-master cluster', () => {
  it('setMany, getMany and deleteMany work across slots, in order, with duplicates', async () => {
    const keys = await keysOnEveryMaster(uniquePrefix('cross'), 30);
    await backend.setMany(
      keys.map((key, i) => ({ key, value: bytes(`v${i}`), ttlMs: i % 2 ? 60_000 : undefined })),
    );
    // Independently visible on the cluster, each with its own TTL.
    expect(await probe.get(keys[3] as string)).toBe('v3');
    expect(await probe.pttl(keys[3] as string)).toBeGreaterThan(50_000);
    expect(await probe.pttl(keys[4] as string)).toBe(-1);

    const asked = [keys[29], `${keys[0]}-missing`, keys[0], keys[15], keys[0]] as string[];
    expect(new Set(asked.map((key) => calculateSlot(key))).size).toBe(4);
    const values = await backend.getMany(asked);
    expect(values.map(text)).toEqual(['v29', undefined, 'v0', 'v15', 'v0']);

    expect(await backend.deleteMany([...keys, `${keys[0]}-missing`])).toBe(keys.length);
    expect((await backend.getMany(keys)).every((value) => value === undefined)).toBe(true);
  });

  it('keys sharing a hash tag stay together and are read in one slot', async () => {
    const tag = `{${uniquePrefix('tag')}}`;
    const keys = [`${tag}a`, `${tag}b`, `${tag}c`];
    await backend.setMany(keys.map((key) => ({ key, value: bytes(key), ttlMs: undefined })));
    expect((await backend.getMany(keys)).map(text)).toEqual(keys);
    expect(await probe.mget(...keys)).toEqual(keys);
    expect(await backend.deleteMany(keys)).toBe(3);
  });

  it('clear removes the prefix on every master and nothing else', async () => {
    const base = uniquePrefix('clear');
    const prefix = `${base}p*[x]:`;
    const doomed = await keysOnEveryMaster(prefix, 60);
    const kept = await keysOnEveryMaster(`${base}pX[x]:`, 60);
    await backend.setMany(
      [...doomed, ...kept].map((key) => ({ key, value: bytes('v'), ttlMs: undefined })),
    );

    await backend.clear(prefix);

    expect((await backend.getMany(doomed)).filter((value) => value !== undefined)).toEqual([]);
    expect((await backend.getMany(kept)).every((value) => value !== undefined)).toBe(true);
    await backend.clear(base);
    expect((await backend.getMany(kept)).filter((value) => value !== undefined)).toEqual([]);
  });

  it('ping asks every master', async () => {
    await expect(backend.ping()).resolves.toBeUndefined();
  });

  it('keeps serving every slot after a master fails over to its replica', async () => {
    const keys = await keysOnEveryMaster(uniquePrefix('failover'), 30);
    await backend.setMany(keys.map((key) => ({ key, value: bytes(key), ttlMs: undefined })));
    const victim = await cluster.nodeForKey(keys[0] as string);

    await cluster.killMaster(victim);

    // The client learns the new owner from a MOVED or a slots refresh; until then
    // commands for the lost slots fail fast. Poll instead of sleeping a fixed time.
    const deadline = Date.now() + 20_000;
    let values: Array<StoredValue | undefined> = [];
    while (Date.now() < deadline) {
      try {
        values = await backend.getMany(keys);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Replication is asynchronous, so a write right before the kill may be lost;
    // what matters is that the whole keyspace answers again.
    expect(values).toHaveLength(keys.length);
    await backend.set(keys[0] as string, bytes('after'), undefined);
    expect(text(await backend.get(keys[0] as string))).toBe('after');
    await expect(backend.ping()).resolves.toBeUndefined();
  });
});
