import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FaultInjectionUnsupportedError,
  keySlot,
  type RedisCluster,
  RespError,
  redisCommand,
  ServerStateError,
  startRedisCluster,
} from '../../src/servers/index.js';

const KEYS = [
  'foo',
  'bar',
  'user:1000',
  '{user1000}.following',
  '{user1000}.followers',
  'a{}b',
  '{}x',
  'é',
];

async function clusterInfo(host: string, port: number): Promise<string> {
  return String(await redisCommand(host, port, ['CLUSTER', 'INFO']));
}

describe('startRedisCluster (local binaries), 3 masters with 1 replica each', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  });

  afterEach(() => {
    delete process.env.RS_TEST_REDIS_CLUSTER_URLS;
  });

  it('forms a cluster where every node is ok and every slot is served', async () => {
    expect(cluster.source).toBe('local');
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.nodes.filter((n) => n.role === 'master')).toHaveLength(3);
    expect(cluster.nodes.filter((n) => n.role === 'replica')).toHaveLength(3);
    expect(cluster.startupNodes).toEqual(
      cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    );
    expect(cluster.urls).toEqual(cluster.nodes.map((n) => `redis://127.0.0.1:${n.port}`));
    for (const node of cluster.nodes) {
      const info = await clusterInfo(node.host, node.port);
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_ok:16384');
      expect(info).toContain('cluster_known_nodes:6');
      expect(node.id).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('keySlot and nodeForKey agree with the server, hash tags included', async () => {
    const [anyNode] = cluster.nodes;
    for (const key of KEYS) {
      expect(keySlot(key)).toBe(
        await redisCommand(anyNode!.host, anyNode!.port, ['CLUSTER', 'KEYSLOT', key]),
      );
      const owner = await cluster.nodeForKey(key);
      expect(owner.role).toBe('master');
      // The owner accepts the write; any other master redirects it.
      expect(await redisCommand(owner.host, owner.port, ['SET', key, 'v'])).toBe('OK');
      const other = (await cluster.masters()).find((m) => m !== owner)!;
      await expect(redisCommand(other.host, other.port, ['SET', key, 'v'])).rejects.toThrow(
        new RegExp(`^MOVED ${keySlot(key)} 127.0.0.1:${owner.port}$`),
      );
    }
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(await cluster.nodeForKey('{user1000}.following')).toBe(
      await cluster.nodeForKey('user1000'),
    );
  });

  it('adopts a cluster from RS_TEST_REDIS_CLUSTER_URLS and refuses to inject faults into it', async () => {
    process.env.RS_TEST_REDIS_CLUSTER_URLS = cluster.urls.join(',');
    const adopted = await startRedisCluster();
    expect(adopted.source).toBe('env');
    expect(adopted.nodes.map((n) => [n.port, n.role, n.id])).toEqual(
      cluster.nodes.map((n) => [n.port, n.role, n.id]),
    );
    expect((await adopted.nodeForKey('foo')).port).toBe((await cluster.nodeForKey('foo')).port);
    await expect(adopted.killMaster(0)).rejects.toBeInstanceOf(FaultInjectionUnsupportedError);
    await expect(adopted.nodes[1]!.pause()).rejects.toMatchObject({
      code: 'ERR_RS_TEST_FAULT_UNSUPPORTED',
    });
    await adopted.stop();
    expect(await redisCommand(cluster.nodes[0]!.host, cluster.nodes[0]!.port, ['PING'])).toBe(
      'PONG',
    );
  });

  it('killMaster refuses a replica', async () => {
    const replica = cluster.nodes.find((n) => n.role === 'replica')!;
    await expect(cluster.killMaster(replica)).rejects.toBeInstanceOf(ServerStateError);
    expect(replica.pid).toBeGreaterThan(0);
  });

  it('killMaster kills a master, its replica takes over with the data, and the node rejoins on restart', async () => {
    const master = await cluster.nodeForKey('foo');
    await redisCommand(master.host, master.port, ['SET', 'foo', 'before-failover']);
    // Make sure the replica has the write before its master dies.
    expect(await redisCommand(master.host, master.port, ['WAIT', '1', '2000'])).toBe(1);
    const masterPid = master.pid!;

    const { killed, promoted } = await cluster.killMaster(master);
    expect(killed).toBe(master);
    expect(() => process.kill(masterPid, 0)).toThrow();
    await expect(redisCommand(master.host, master.port, ['PING'])).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(promoted.role).toBe('master');
    expect(await cluster.nodeForKey('foo')).toBe(promoted);
    expect(await redisCommand(promoted.host, promoted.port, ['GET', 'foo'])).toBe(
      'before-failover',
    );
    for (const node of cluster.nodes.filter((n) => n !== master)) {
      expect(await clusterInfo(node.host, node.port)).toContain('cluster_state:ok');
    }

    await master.restart();
    await cluster.waitForHealthy();
    expect(master.role).toBe('replica');
    await expect(redisCommand(master.host, master.port, ['GET', 'foo'])).rejects.toBeInstanceOf(
      RespError,
    );
  });
});

describe('startRedisCluster options', () => {
  it('rejects fewer than 3 masters with a typed error', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toMatchObject({
      code: 'ERR_RS_CONFIG',
      field: 'masters',
    });
  });

  it('refuses container mode asked for by name: cluster nodes run as local processes only', async () => {
    await expect(startRedisCluster({ mode: 'container' })).rejects.toBeInstanceOf(
      FaultInjectionUnsupportedError,
    );
  });
});
