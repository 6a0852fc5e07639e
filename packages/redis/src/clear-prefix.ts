import { Cluster, type Redis } from 'ioredis';
import { prefixPattern } from './glob.js';
import type { KeyCommands } from './key-commands.js';
import type { RedisClient } from './options.js';

/**
 * Keys examined per SCAN step. Each step is a short command on the server (unlike KEYS,
 * which blocks Redis for the whole keyspace), and each batch is unlinked before the next.
 */
const SCAN_COUNT = 1_000;

/**
 * Removes every key starting with `prefix`: SCAN MATCH on every master (a cluster
 * spreads keys over all of them), UNLINK batch by batch. Keys are handled as raw bytes so
 * a key that is not valid UTF-8 is still removed exactly.
 */
export async function clearPrefix(
  client: RedisClient,
  commands: KeyCommands,
  prefix: string,
): Promise<void> {
  const pattern = prefixPattern(prefix);
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  if (nodes.length === 0) throw new Error('redis cluster has no known master');
  await Promise.all(nodes.map((node) => clearNode(node, commands, pattern)));
}

async function clearNode(node: Redis, commands: KeyCommands, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    // UNLINK goes through the key commands (not `node`) so that in a cluster it is split by
    // slot and follows a MOVED if a slot migrates during the scan.
    if (keys.length > 0) await commands.unlink(keys);
    cursor = next.toString();
  } while (cursor !== '0');
}
