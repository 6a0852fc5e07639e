/** resilient-store as its README starts it: `createStore` with one Redis backend, defaults. */
import { createStore, silentLogger } from '@resilient-store/core';
import type { CachedValue } from '../fixtures.js';
import { installed, PEER_TTL_MS, type Peer, within } from './peer.js';

export const resilientStore: Peer = {
  name: 'resilient-store',
  library: installed('@resilient-store/core'),
  layers: 'Redis + memory fallback',
  configuration:
    "createStore({ backends: [{ type: 'redis', url }] }): the default memory fallback appended, default breaker and operationTimeout; silent logger",
  async open(url) {
    const store = await createStore({
      backends: [{ type: 'redis', url }],
      logger: silentLogger,
    });
    return {
      get: (key) => store.get<CachedValue>(key),
      getMany: (keys) => store.getMany<CachedValue>(keys),
      async set(key, value) {
        await store.set(key, value, { ttl: PEER_TTL_MS });
      },
      async close() {
        await within(store.close(), 2000);
      },
    };
  },
};
