/**
 * The one shape every library compared here is driven through: a JSON cache with `get` and
 * `set`, opened on a Redis URL. Each adapter (one file per library) builds the library the
 * way its documentation recommends and says so in `configuration`, which the report prints.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedValue } from '../fixtures.js';

/** TTL of every write (as in the overhead benchmark): nothing expires during a run. */
export const PEER_TTL_MS = 10 * 60_000;

export interface PeerCache {
  /** The value, or undefined for a miss (however the library reports one). */
  get(key: string): Promise<CachedValue | undefined>;
  set(key: string, value: CachedValue): Promise<void>;
  /** One call for many keys, where the library offers one (bentocache 1.x does not). */
  readonly getMany?: (keys: readonly string[]) => Promise<Array<CachedValue | undefined>>;
  close(): Promise<void>;
}

export interface Peer {
  /** Row label: library and configuration, e.g. `bentocache L1+L2`. */
  readonly name: string;
  /** The package measured, with its installed version. */
  readonly library: string;
  /** Where a get is answered from while Redis is healthy. */
  readonly layers: 'Redis' | 'memory L1 + Redis L2' | 'Redis + memory fallback';
  /** The settings that decide its behaviour under failure, as printed in the report. */
  readonly configuration: string;
  /** Builds the client; it does not wait for Redis unless the library itself does. */
  open(url: string): Promise<PeerCache>;
}

const NODE_MODULES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

/**
 * `name@version` of an installed package, read from its package.json on disk (several of
 * the peers do not export `./package.json`, so it cannot be imported).
 */
export function installed(name: string): string {
  const text = readFileSync(join(NODE_MODULES, name, 'package.json'), 'utf8');
  return `${name}@${(JSON.parse(text) as { version: string }).version}`;
}

/** Resolves with `promise`, or after `ms` with undefined: for closing clients that may hang. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
