/**
 * cache-manager 7: the two-store setup of its README, a `CacheableMemory` Keyv in front of
 * a `@keyv/redis` Keyv. The tuned row sets the resilience option it documents,
 * `nonBlocking: true`, with the Redis store made by `createKeyvNonBlocking`, which @keyv/redis
 * documents for that use (no offline queue, no reconnect strategy, no throwing).
 */
import { createKeyv, createKeyvNonBlocking } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { CacheableMemory } from 'cacheable';
import { Keyv } from 'keyv';
import type { CachedValue } from '../fixtures.js';
import { installed, PEER_TTL_MS, type Peer, within } from './peer.js';

function cacheManagerPeer(nonBlocking: boolean): Peer {
  return {
    name: `cache-manager${nonBlocking ? ' nonBlocking' : ''}`,
    library: installed('cache-manager'),
    layers: 'memory L1 + Redis L2',
    configuration: `stores: [new Keyv({ store: new CacheableMemory({ ttl: 60000, lruSize: 5000 }) }), ${
      nonBlocking ? 'createKeyvNonBlocking(url)' : 'createKeyv(url)'
    }]${nonBlocking ? ', nonBlocking: true' : ''}; ${installed('@keyv/redis')}, ${installed('keyv')}`,
    async open(url) {
      const memory = new Keyv({ store: new CacheableMemory({ ttl: 60_000, lruSize: 5000 }) });
      const redis = nonBlocking ? createKeyvNonBlocking(url) : createKeyv(url);
      // Keyv reports Redis failures as 'error' events; unheard, Node would throw them.
      redis.on('error', () => {});
      const cache = createCache({ stores: [memory, redis], nonBlocking });
      return {
        get: (key) => cache.get<CachedValue>(key),
        getMany: (keys) => cache.mget<CachedValue>([...keys]),
        async set(key, value) {
          await cache.set(key, value, PEER_TTL_MS);
        },
        async close() {
          await within(cache.disconnect(), 2000);
        },
      };
    },
  };
}

export const cacheManager = cacheManagerPeer(false);
export const cacheManagerNonBlocking = cacheManagerPeer(true);
