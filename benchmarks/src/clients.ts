/**
 * The things being compared, built so that the only difference is the store:
 * a `ResilientStore` over `[redis, memory]`, a raw ioredis client whose options are
 * copied from the store's own Redis client (same fail-fast settings, same timeouts, same
 * auto-pipelining), and the store's Redis backend alone, each with its own connection
 * to the same server.
 */
import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import { instrument } from '@resilient-store/prometheus';
import { type RedisBackend, redisBackend } from '@resilient-store/redis';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';

export interface ClientPair {
  readonly autoPipelining: boolean;
  readonly store: ResilientStore;
  /** The same store on its own connection, instrumented with @resilient-store/prometheus (never scraped). */
  readonly instrumented: ResilientStore;
  readonly raw: Redis;
  /** A Redis backend like the store's, used without a store: the I/O the store runs on. */
  readonly backend: RedisBackend;
  /** Attempts that failed on Redis inside the store (each would have failed over). */
  readonly storeErrors: () => number;
  /** The fail-fast options both clients run with, for the report. */
  readonly clientOptions: Record<string, unknown>;
  close(): Promise<void>;
}

/** Options shown in the report: the ones that decide how a client behaves under failure. */
const REPORTED_OPTIONS = [
  'enableAutoPipelining',
  'enableOfflineQueue',
  'maxRetriesPerRequest',
  'autoResendUnfulfilledCommands',
  'commandTimeout',
  'connectTimeout',
  'socketTimeout',
] as const;

export async function openPair(url: string, autoPipelining: boolean): Promise<ClientPair> {
  const backend: RedisBackend = redisBackend({ url, enableAutoPipelining: autoPipelining });
  // The memory fallback is what every real store has behind Redis (createStore appends
  // it); it costs nothing on the path of an operation that Redis answers.
  const store = new ResilientStore({
    backends: [backend, memoryBackend()],
    logger: silentLogger,
  });
  const measuredBackend: RedisBackend = redisBackend({ url, enableAutoPipelining: autoPipelining });
  const instrumented = new ResilientStore({
    backends: [measuredBackend, memoryBackend()],
    logger: silentLogger,
  });
  instrument(instrumented, { registry: new Registry(), name: 'bench' });
  let errors = 0;
  store.on('error', ({ backend: name }) => {
    if (name === backend.name) errors++;
  });
  instrumented.on('error', ({ backend: name }) => {
    if (name === measuredBackend.name) errors++;
  });
  // Copying the resolved options (rather than restating them here) keeps the baseline
  // honest when the backend's defaults change.
  const options = (backend.client as Redis).options;
  const raw = new Redis({ ...options });
  const alone = redisBackend({ url, enableAutoPipelining: autoPipelining, name: 'redis-alone' });
  try {
    await Promise.all([
      store.ready(),
      instrumented.ready(),
      readyOf(raw),
      readyOf(alone.client as Redis),
    ]);
    for (const s of [store, instrumented]) {
      if (s.health().active !== backend.name) {
        throw new Error(`the store does not serve from redis: ${JSON.stringify(s.health())}`);
      }
    }
  } catch (error) {
    raw.disconnect();
    await Promise.all([store.close(), instrumented.close(), alone.close()]);
    throw error;
  }
  const clientOptions: Record<string, unknown> = {};
  for (const name of REPORTED_OPTIONS) clientOptions[name] = options[name];
  return {
    autoPipelining,
    store,
    instrumented,
    raw,
    backend: alone,
    storeErrors: () => errors,
    clientOptions,
    async close() {
      await Promise.allSettled([raw.quit(), store.close(), instrumented.close(), alone.close()]);
      raw.disconnect();
    },
  };
}

function readyOf(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      client.off('ready', onReady);
      reject(error);
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}
