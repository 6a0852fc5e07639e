/** Every configuration compared, in report order; the baseline first. */
import { bentocacheL1L2, bentocacheL1L2Tuned, bentocacheL2 } from './bentocache.js';
import { cacheManager, cacheManagerNonBlocking } from './cache-manager.js';
import { cacheable, cacheableNonBlocking } from './cacheable.js';
import type { Peer } from './peer.js';
import { rawIoredis, rawIoredisPipelined } from './raw-ioredis.js';
import { resilientStore } from './resilient-store.js';

export type { Peer, PeerCache } from './peer.js';

/** What the ratios are against: plain ioredis, measured in the same rounds. */
export const BASELINE = rawIoredis;

export const PEERS: readonly Peer[] = [
  rawIoredis,
  rawIoredisPipelined,
  resilientStore,
  bentocacheL2,
  bentocacheL1L2,
  bentocacheL1L2Tuned,
  cacheManager,
  cacheManagerNonBlocking,
  cacheable,
  cacheableNonBlocking,
];
