import { type ChainableCommander, Cluster } from 'ioredis';
import type { RedisClient } from './options.js';
import { groupBySlot, pick, type SlotGroup } from './slots.js';

/** One SET to send: the key, the value bytes, and the expiry in ms (`undefined`: none). */
export interface SetCommand {
  readonly key: string;
  readonly value: Buffer | string;
  readonly ttlMs: number | undefined;
}

type RedisKeyArg = string | Buffer;

/**
 * The multi-key commands of the backend, in the shape the deployment needs: a single
 * node takes any keys in one command, a cluster only keys of one hash slot per command.
 */
export interface KeyCommands {
  /** MGET: one answer per key, in order. */
  mget(keys: readonly string[]): Promise<Array<Buffer | null>>;
  /** SET / SET PX for every entry, pipelined. */
  set(commands: readonly SetCommand[]): Promise<void>;
  /** UNLINK: how many of `keys` existed. */
  unlink(keys: readonly RedisKeyArg[]): Promise<number>;
}

export function keyCommands(client: RedisClient): KeyCommands {
  return client instanceof Cluster ? clusterKeyCommands(client) : singleNodeKeyCommands(client);
}

function singleNodeKeyCommands(client: RedisClient): KeyCommands {
  return {
    mget: (keys) => client.mgetBuffer([...keys]),
    async set(commands) {
      const pipeline = client.pipeline();
      queueSets(pipeline, commands);
      await execPipeline(pipeline);
    },
    unlink: (keys) => client.unlink([...keys]),
  };
}

/**
 * A cluster takes one command per hash slot (a batch of random keys touches nearly as
 * many slots as keys), sent as one pipeline per master: a single write per node instead
 * of thousands of separate sends, each of which would also pay for its own promise chain.
 */
function clusterKeyCommands(cluster: Cluster): KeyCommands {
  return {
    async mget(keys) {
      const answers = new Array<Buffer | null>(keys.length).fill(null);
      await perNode(cluster, groupBySlot(keys), async (pipeline, groups) => {
        for (const { positions } of groups) pipeline.mgetBuffer(pick(keys, positions));
        const replies = await execPipeline(pipeline);
        groups.forEach(({ positions }, i) => {
          const values = replies[i] as Array<Buffer | null>;
          positions.forEach((position, j) => {
            answers[position] = values[j] ?? null;
          });
        });
      });
      return answers;
    },
    async set(commands) {
      const keys = commands.map((command) => command.key);
      await perNode(cluster, groupBySlot(keys), async (pipeline, groups) => {
        for (const { positions } of groups) queueSets(pipeline, pick(commands, positions));
        await execPipeline(pipeline);
      });
    },
    async unlink(keys) {
      let removed = 0;
      await perNode(cluster, groupBySlot(keys), async (pipeline, groups) => {
        for (const { positions } of groups) pipeline.unlink(pick(keys, positions));
        for (const count of await execPipeline(pipeline)) removed += count as number;
      });
      return removed;
    },
  };
}

/**
 * Runs `send` once per node with that node's slot groups and a fresh pipeline. Slots are
 * bucketed by the node list that serves them, the same grouping ioredis requires of a
 * cluster pipeline; a redirection (MOVED/ASK) during a resharding is followed by ioredis.
 */
async function perNode(
  cluster: Cluster,
  groups: readonly SlotGroup[],
  send: (pipeline: ChainableCommander, groups: SlotGroup[]) => Promise<void>,
): Promise<void> {
  const byNode = new Map<string, SlotGroup[]>();
  for (const group of groups) {
    const owner = cluster.slots[group.slot]?.join(';') ?? `slot ${group.slot}`;
    const bucket = byNode.get(owner);
    if (bucket) bucket.push(group);
    else byNode.set(owner, [group]);
  }
  await Promise.all([...byNode.values()].map((bucket) => send(cluster.pipeline(), bucket)));
}

function queueSets(pipeline: ChainableCommander, commands: readonly SetCommand[]): void {
  for (const { key, value, ttlMs } of commands) {
    if (ttlMs === undefined) pipeline.set(key, value);
    else pipeline.set(key, value, 'PX', ttlMs);
  }
}

/** Executes `pipeline`; rejects with the first command error, else gives every reply. */
async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('redis pipeline was discarded');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
