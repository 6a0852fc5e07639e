/**
 * bentocache 1.x: Redis as its L2 through its own ioredis driver, alone or under its memory
 * L1 (the multi-tier setup its docs recommend; no bus, which its docs say a single instance
 * does not need). The tuned row turns on the resilience setting its docs offer,
 * `l2CircuitBreakerDuration`, and gives ioredis a command timeout, without which a hung
 * Redis never fails a call and the breaker never opens. Both take the store's defaults
 * (1 s per operation, 2 s open breaker) so the rows spend the same time budget.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import type { CachedValue } from '../fixtures.js';
import { installed, PEER_TTL_MS, type Peer, within } from './peer.js';

interface Variant {
  readonly l1: boolean;
  readonly tuned: boolean;
}

/**
 * The driver's ioredis connection, made here (its docs accept a client as well as options)
 * only to listen to its 'error' events, which unheard would print a stack per reconnect.
 */
function connectionOf(url: string, tuned: boolean): Redis {
  const client = new Redis(url, tuned ? { commandTimeout: 1000 } : {});
  client.on('error', () => {});
  return client;
}

function bentoPeer({ l1, tuned }: Variant): Peer {
  const layers = l1
    ? 'memoryDriver({ maxSize: "10mb" }) L1 + redisDriver L2'
    : 'redisDriver L2 only';
  return {
    name: `bentocache ${l1 ? 'L1+L2' : 'L2'}${tuned ? ' tuned' : ''}`,
    library: installed('bentocache'),
    layers: l1 ? 'memory L1 + Redis L2' : 'Redis',
    configuration: `${layers}; ${
      tuned
        ? 'l2CircuitBreakerDuration: "2s", ioredis commandTimeout: 1000'
        : 'defaults (no circuit breaker, ioredis defaults)'
    }; suppressL2Errors at its default (${l1 ? 'true' : 'false'} for ${l1 ? 'L1+L2' : 'L2 only'})`,
    async open(url) {
      const connection = connectionOf(url, tuned);
      let store = bentostore();
      if (l1) store = store.useL1Layer(memoryDriver({ maxSize: '10mb' }));
      store = store.useL2Layer(redisDriver({ connection }));
      const bento = new BentoCache({
        default: 'cache',
        ...(tuned ? { l2CircuitBreakerDuration: '2s' } : {}),
        stores: { cache: store },
      });
      return {
        async get(key) {
          const value: CachedValue | undefined = await bento.get({ key });
          return value ?? undefined;
        },
        async set(key, value) {
          await bento.set({ key, value, ttl: PEER_TTL_MS });
        },
        async close() {
          await within(bento.disconnectAll(), 2000);
          connection.disconnect();
        },
      };
    },
  };
}

export const bentocacheL2 = bentoPeer({ l1: false, tuned: false });
export const bentocacheL1L2 = bentoPeer({ l1: true, tuned: false });
export const bentocacheL1L2Tuned = bentoPeer({ l1: true, tuned: true });
