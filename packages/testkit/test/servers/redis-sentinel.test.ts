import { ConfigError } from '@resilient-store/core';
import { describe, expect, it } from 'vitest';
import {
  FaultInjectionUnsupportedError,
  redisCommand,
  startRedisSentinel,
} from '../../src/servers/index.js';

const role = async (port: number) => {
  const reply = await redisCommand('127.0.0.1', port, ['ROLE']);
  return Array.isArray(reply) ? reply[0] : reply;
};

describe('startRedisSentinel (local binaries)', () => {
  it('forms a group whose sentinels agree on the master, and promotes the replica when it is killed', async () => {
    const group = await startRedisSentinel({ masterName: 'cache-primary' });
    expect(group.masterName).toBe('cache-primary');
    expect(group.sentinels).toHaveLength(3);
    expect(group.nodes).toHaveLength(2);
    const [first, replica] = group.nodes;

    const master = await group.master();
    expect(master).toBe(first);
    expect(await role(master.port)).toBe('master');
    expect(await role(replica!.port)).toBe('slave');
    // Every sentinel speaks the Sentinel protocol and names the same master.
    for (const sentinel of group.sentinels) {
      expect(
        await redisCommand(sentinel.host, sentinel.port, [
          'SENTINEL',
          'get-master-addr-by-name',
          'cache-primary',
        ]),
      ).toEqual(['127.0.0.1', String(master.port)]);
    }

    await redisCommand(master.host, master.port, ['SET', 'kept', 'before the kill']);
    // WAIT: the write reached the replica, so the promotion cannot lose it.
    expect(await redisCommand(master.host, master.port, ['WAIT', '1', '2000'])).toBe(1);

    const { killed, promoted } = await group.killMaster(20_000);
    expect(killed).toBe(first);
    expect(killed.pid).toBeUndefined();
    expect(promoted).toBe(replica);
    expect(await group.master()).toBe(replica);
    expect(await role(promoted.port)).toBe('master');
    expect(await redisCommand(promoted.host, promoted.port, ['GET', 'kept'])).toBe(
      'before the kill',
    );
    await redisCommand(promoted.host, promoted.port, ['SET', 'after', 'the promotion']);

    await group.stop();
    for (const node of [...group.nodes, ...group.sentinelServers]) {
      expect(node.pid).toBeUndefined();
    }
  }, 60_000);

  it('rejects settings that cannot form a group', async () => {
    await expect(startRedisSentinel({ replicas: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(startRedisSentinel({ sentinels: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(startRedisSentinel({ masterName: 'two words' })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(startRedisSentinel({ mode: 'container' })).rejects.toBeInstanceOf(
      FaultInjectionUnsupportedError,
    );
  });
});
