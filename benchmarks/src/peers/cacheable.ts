/**
 * cacheable 2: its default in-memory primary with `@keyv/redis` as the secondary, as its
 * README sets it up. The tuned row is the README's "even higher performance" setting,
 * `nonBlocking: true`, with the secondary from `createKeyvNonBlocking` as @keyv/redis
 * recommends for that use.
 */
import KeyvRedis, { createKeyvNonBlocking } from '@keyv/redis';
import { Cacheable } from 'cacheable';
import type { CachedValue } from '../fixtures.js';
import { installed, PEER_TTL_MS, type Peer, within } from './peer.js';

function cacheablePeer(nonBlocking: boolean): Peer {
  return {
    name: `cacheable${nonBlocking ? ' nonBlocking' : ''}`,
    library: installed('cacheable'),
    layers: 'memory L1 + Redis L2',
    configuration: `new Cacheable({ secondary: ${
      nonBlocking ? 'createKeyvNonBlocking(url), nonBlocking: true' : 'new KeyvRedis(url)'
    } }), default primary; ${installed('@keyv/redis')}`,
    async open(url) {
      const secondary = nonBlocking ? createKeyvNonBlocking(url) : new KeyvRedis(url);
      secondary.on('error', () => {});
      const cache = new Cacheable({ secondary, nonBlocking });
      cache.on('error', () => {});
      return {
        get: (key) => cache.get<CachedValue>(key),
        getMany: (keys) => cache.getMany<CachedValue>([...keys]),
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

export const cacheable = cacheablePeer(false);
export const cacheableNonBlocking = cacheablePeer(true);
