import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './options.js';

/** Statuses in which a connection holds a socket. */
const CONNECTED = new Set(['connecting', 'connect', 'ready']);

/**
 * Closes `client` within about `timeoutMs`: a graceful QUIT (replies in flight are
 * delivered) when it is ready, then `disconnect()` in every case, which cancels any
 * reconnection timer, and a wait until every socket it held has ended.
 */
export async function closeClient(client: RedisClient, timeoutMs: number): Promise<void> {
  // A cluster holds one connection per node; a node between connections (or a cluster that
  // never reached one) has no socket, and no 'end' follows disconnect(), so only
  // connections that hold a socket are waited for.
  const connections: Redis[] = client instanceof Cluster ? client.nodes() : [client];
  const ended = Promise.all(
    connections.filter((connection) => CONNECTED.has(connection.status)).map(endOf),
  );
  if (client.status === 'ready') {
    await withTimeout(
      client.quit().then(
        () => {},
        () => {},
      ),
      timeoutMs,
    );
  }
  client.disconnect();
  await withTimeout(
    ended.then(() => {}),
    timeoutMs,
  );
  // disconnect() arms a destroy timer even for a socket that has already closed (see
  // `disconnectTimeout` in create-client, set to 0); let it run out before resolving.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves when `connection` reaches 'end'; the listener goes away with it. */
function endOf(connection: Redis): Promise<void> {
  return new Promise((resolve) => connection.once('end', () => resolve()));
}

/** Resolves when `promise` settles or after `ms`, whichever comes first; never leaves a timer. */
function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
