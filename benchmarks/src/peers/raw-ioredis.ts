/**
 * The baseline: ioredis as a user of it writes a JSON cache, with its own defaults (an
 * offline queue, retries, no command timeout). Ratios in the report are against the plain
 * client; the auto-pipelined one shows what ioredis can do with one option.
 */
import { Redis } from 'ioredis';
import type { CachedValue } from '../fixtures.js';
import { installed, PEER_TTL_MS, type Peer, within } from './peer.js';

function rawPeer(autoPipelining: boolean): Peer {
  return {
    name: autoPipelining ? 'ioredis auto-pipelined' : 'ioredis',
    library: installed('ioredis'),
    layers: 'Redis',
    configuration: `new Redis(url${autoPipelining ? ', { enableAutoPipelining: true }' : ''}); JSON.parse/JSON.stringify; every other option at its default`,
    async open(url) {
      const client = new Redis(url, { enableAutoPipelining: autoPipelining });
      // An unhandled 'error' event would only print; the caller sees the rejected command.
      client.on('error', () => {});
      return {
        async get(key) {
          const text = await client.get(key);
          return text === null ? undefined : (JSON.parse(text) as CachedValue);
        },
        async set(key, value) {
          await client.set(key, JSON.stringify(value), 'PX', PEER_TTL_MS);
        },
        async getMany(keys) {
          const texts = await client.mget(...keys);
          return texts.map((t) => (t === null ? undefined : (JSON.parse(t) as CachedValue)));
        },
        async close() {
          await within(client.quit(), 1000);
          client.disconnect();
        },
      };
    },
  };
}

export const rawIoredis = rawPeer(false);
export const rawIoredisPipelined = rawPeer(true);
