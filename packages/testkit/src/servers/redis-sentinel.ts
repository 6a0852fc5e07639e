import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@resilient-store/core';
import { findBinary } from './binaries.js';
import { ServerStateError, ServerTimeoutError } from './errors.js';
import { makeHandle, type ServerHandle } from './handle.js';
import { LocalServer } from './local-server.js';
import { pollUntil } from './poll.js';
import { LOOPBACK } from './ports.js';
import { type RespValue, redisCommand, redisPing } from './probes/resp.js';
import { localRedisArgs, type RedisServer, startRedis } from './redis.js';
import { resolveSource, type SourceOptions } from './source.js';

export interface RedisSentinelOptions extends SourceOptions {
  /** The master group the sentinels monitor. Default 'mymaster'. */
  masterName?: string;
  /** Sentinel processes; a majority of them is the quorum. Default 3, as deployed. */
  sentinels?: number;
  /** Replicas of the master. Default 1. */
  replicas?: number;
  /** down-after-milliseconds: how long a silent master takes to be declared down. Default 1000. */
  downAfterMs?: number;
  /** Time allowed for the group to form (replication up, sentinels aware of each other). Default 30 s. */
  readyTimeoutMs?: number;
}

/** A master, its replicas and the sentinels that watch them, all local processes. */
export interface RedisSentinelGroup {
  readonly masterName: string;
  /** host/port of every sentinel: what a Sentinel client takes. */
  readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
  /** The data nodes; the first one started as the master. */
  readonly nodes: readonly RedisServer[];
  /** The sentinel processes, for faults on the sentinels themselves. */
  readonly sentinelServers: readonly ServerHandle[];
  /** The data node the sentinels name as master now. */
  master(): Promise<RedisServer>;
  /**
   * SIGKILLs the current master and resolves once every sentinel names one of its replicas
   * as the master and that replica serves as one.
   */
  killMaster(timeoutMs?: number): Promise<{ killed: RedisServer; promoted: RedisServer }>;
  /** Stops every process of the group. */
  stop(): Promise<void>;
}

const GROUP = 'redis sentinel group';

/** A `SENTINEL replicas|sentinels` entry, a flat [field, value, …] list, as a map. */
function fields(entry: RespValue): Map<string, string> {
  const list = Array.isArray(entry) ? entry : [];
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(String(list[i]), String(list[i + 1]));
  return map;
}

function sentinelConf(name: string, masterPort: number, quorum: number, downAfterMs: number) {
  return [
    `sentinel monitor ${name} ${LOOPBACK} ${masterPort} ${quorum}`,
    `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
    // Long enough never to abort a failover in progress on a slow machine.
    `sentinel failover-timeout ${name} 10000`,
    `sentinel parallel-syncs ${name} 1`,
    '',
  ].join('\n');
}

/**
 * Starts a master, its replicas and `sentinels` redis-server processes in sentinel mode, and
 * resolves once replication is up and every sentinel knows the replicas and the other sentinels,
 * so a failover can be agreed on. Local binaries only: sentinels in containers announce addresses
 * the host cannot reach, as cluster nodes do.
 */
export async function startRedisSentinel(
  opts: RedisSentinelOptions = {},
): Promise<RedisSentinelGroup> {
  const masterName = opts.masterName ?? 'mymaster';
  const sentinelCount = opts.sentinels ?? 3;
  const replicaCount = opts.replicas ?? 1;
  const downAfterMs = opts.downAfterMs ?? 1_000;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  if (!/^[\w.-]+$/.test(masterName)) {
    throw new ConfigError('masterName', `must be letters, digits, _ . or -, got ${masterName}`);
  }
  if (!Number.isInteger(sentinelCount) || sentinelCount < 1) {
    throw new ConfigError('sentinels', `must be a positive integer, got ${sentinelCount}`);
  }
  if (!Number.isInteger(replicaCount) || replicaCount < 1) {
    throw new ConfigError('replicas', `a failover needs at least one replica, got ${replicaCount}`);
  }
  // Always local; throws if containers were asked for by name.
  await resolveSource(undefined, opts, {
    server: GROUP,
    operation: 'startRedisSentinel',
    instead: 'install redis-server locally',
  });
  const binary = findBinary('redis-server', 'redis', opts);
  const local = { mode: 'local' as const, binDir: opts.binDir };
  // Replicas sync at once instead of waiting 5 s for more replicas to share the transfer.
  const syncAtOnce = ['--repl-diskless-sync-delay', '0'];

  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const master = await startRedis({ ...local, args: syncAtOnce });
    started.push(master);
    const replicas = await Promise.all(
      Array.from({ length: replicaCount }, () =>
        startRedis({
          ...local,
          args: [...syncAtOnce, '--replicaof', LOOPBACK, String(master.port)],
        }),
      ),
    );
    started.push(...replicas);
    const nodes = [master, ...replicas];

    const quorum = Math.floor(sentinelCount / 2) + 1;
    const sentinelServers = await Promise.all(
      Array.from({ length: sentinelCount }, async () => {
        const server = await LocalServer.start({
          name: 'redis-server --sentinel',
          kind: 'redis-sentinel',
          // Sentinel rewrites its configuration file, so each gets its own, in its own directory.
          prepare: (dir) =>
            writeFile(
              join(dir, 'sentinel.conf'),
              sentinelConf(masterName, master.port, quorum, downAfterMs),
            ),
          launch: ([port], dir) => ({
            command: binary,
            args: [join(dir, 'sentinel.conf'), '--sentinel', ...localRedisArgs(port!, dir)],
          }),
          probe: (port, timeoutMs) => redisPing(LOOPBACK, port, { timeoutMs }),
          stopSignal: 'SIGTERM',
        });
        started.push(server);
        const url = `redis://${LOOPBACK}:${server.port}`;
        return makeHandle({ host: LOOPBACK, port: server.port, url, source: 'local' }, server, {});
      }),
    );
    const sentinels = sentinelServers.map((s) => ({ host: s.host, port: s.port }));

    const ask = (sentinel: { port: number }, args: string[], timeoutMs = 1_000) =>
      redisCommand(LOOPBACK, sentinel.port, ['SENTINEL', ...args], { timeoutMs });

    /** Ports each running sentinel names as the master now (undefined where one did not answer). */
    const namedMasters = (timeoutMs: number) =>
      Promise.all(
        sentinelServers
          .filter((s) => s.pid !== undefined)
          .map((s) =>
            ask(s, ['get-master-addr-by-name', masterName], timeoutMs)
              .then((reply) => (Array.isArray(reply) ? Number(reply[1]) : undefined))
              .catch(() => undefined),
          ),
      );

    const formed = await pollUntil(
      async (remaining) => {
        const timeoutMs = Math.min(1_000, remaining);
        const views = await Promise.all(
          sentinels.map(async (s) => {
            const [known, seen] = await Promise.all([
              ask(s, ['replicas', masterName], timeoutMs),
              ask(s, ['sentinels', masterName], timeoutMs),
            ]);
            const linked = (Array.isArray(known) ? known : []).filter((entry) => {
              const replica = fields(entry);
              return replica.get('flags') === 'slave' && replica.get('master-link-status') === 'ok';
            });
            return (
              linked.length === replicaCount &&
              Array.isArray(seen) &&
              seen.length === sentinelCount - 1
            );
          }),
        ).catch(() => [false]);
        return views.every(Boolean);
      },
      readyTimeoutMs,
      100,
    );
    if (!formed) {
      throw new ServerTimeoutError(
        `${GROUP}: sentinels did not all see ${replicaCount} linked replica(s) and each other within ${readyTimeoutMs} ms`,
      );
    }

    const nodeAt = (port: number | undefined): RedisServer => {
      const node = nodes.find((n) => n.port === port);
      if (!node)
        throw new ServerStateError(`${GROUP}: port ${port} is not one of the group's nodes`);
      return node;
    };

    const group: RedisSentinelGroup = {
      masterName,
      sentinels,
      nodes,
      sentinelServers,
      master: async () => nodeAt((await namedMasters(1_000)).find((p) => p !== undefined)),
      killMaster: async (timeoutMs = 30_000) => {
        const killed = await group.master();
        await killed.kill();
        let promoted: RedisServer | undefined;
        const done = await pollUntil(
          async (remaining) => {
            const named = await namedMasters(Math.min(1_000, remaining));
            const port = named[0];
            if (port === undefined || port === killed.port || named.some((p) => p !== port)) {
              return false;
            }
            const role = await redisCommand(LOOPBACK, port, ['ROLE'], { timeoutMs: 1_000 }).catch(
              () => undefined,
            );
            promoted = nodeAt(port);
            return Array.isArray(role) && role[0] === 'master';
          },
          timeoutMs,
          50,
        );
        if (!done || promoted === undefined) {
          throw new ServerTimeoutError(
            `${GROUP}: no replica of ${killed.host}:${killed.port} was promoted within ${timeoutMs} ms`,
          );
        }
        return { killed, promoted };
      },
      stop: async () => {
        await Promise.allSettled(started.map((s) => s.stop()));
      },
    };
    return group;
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw error;
  }
}
