import { LRUCache } from 'lru-cache';
import type {
  Backend,
  BackendCapabilities,
  BackendEntry,
  CallControl,
  ConditionalEntry,
  ConditionalWrites,
  StoredValue,
} from '../backend.js';
import { BackendUnavailableError, ConfigError } from '../errors.js';
import { checkTtlMs, valueTooLarge } from '../kit/input.js';
import { backendName, positiveInteger, rejectUnknownFields } from '../kit/options.js';
import { storedValueFits } from '../kit/stored-value.js';
import { stampOf } from '../values/envelope.js';

/**
 * An in-process backend: a bounded LRU over lru-cache, always available, used as the
 * last resort of a store. Entries are private to the process (`shared: false`) and
 * lost on restart (`persistent: false`).
 *
 * Bounds: at most `maxEntries` entries and `maxBytes` bytes, counting each entry as
 * its value bytes plus two bytes per key character (how V8 may hold the key). The
 * least recently used entries are evicted first. Expired entries are dropped when
 * read or evicted; no timer runs, so nothing is left behind after `close()`.
 *
 * Isolation: `set` stores a private copy and `get` hands out a fresh copy, so neither
 * the buffer a caller passed nor the one it got back can change what is stored. The
 * copy on read costs one memcpy and keeps every caller safe, including a store that
 * returns raw-bytes values to its own callers without copying again.
 */
export interface MemoryBackendOptions {
  /** Unique within a store. Default 'memory'. */
  name?: string;
  /** Most entries held. Default 10_000. */
  maxEntries?: number;
  /** Most bytes held (values plus keys). Default 64 MiB. */
  maxBytes?: number;
  /**
   * Largest single value accepted; at most `maxBytes`. Default a quarter of `maxBytes`,
   * capped at 16 MiB, so one value never evicts most of the cache.
   */
  maxValueBytes?: number;
}

export const MEMORY_DEFAULTS = {
  name: 'memory',
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  /** Large enough for any key another backend accepts in practice (Memcached: 250). */
  maxKeyBytes: 64 * 1024,
  maxValueBytesCap: 16 * 1024 * 1024,
} as const;

/** The options as plain data may carry them: every field still to be checked. */
type UncheckedOptions = { readonly [K in keyof MemoryBackendOptions]?: unknown };

function resolveOptions(options: UncheckedOptions): Required<MemoryBackendOptions> {
  const name = backendName(options.name, MEMORY_DEFAULTS.name);
  const maxEntries = positiveInteger(options.maxEntries, 'maxEntries', {
    fallback: MEMORY_DEFAULTS.maxEntries,
  });
  const maxBytes = positiveInteger(options.maxBytes, 'maxBytes', {
    fallback: MEMORY_DEFAULTS.maxBytes,
  });
  const defaultValueBytes = Math.max(
    1,
    Math.min(MEMORY_DEFAULTS.maxValueBytesCap, Math.floor(maxBytes / 4)),
  );
  const maxValueBytes = positiveInteger(options.maxValueBytes, 'maxValueBytes', {
    fallback: defaultValueBytes,
  });
  if (maxValueBytes > maxBytes) {
    throw new ConfigError('maxValueBytes', `must not exceed maxBytes (${maxBytes})`);
  }
  return { name, maxEntries, maxBytes, maxValueBytes };
}

function entrySize(key: string, value: StoredValue): number {
  // A string is held as UTF-16 in memory: two bytes a unit, like the key.
  const valueSize = typeof value === 'string' ? value.length * 2 : value.byteLength;
  return valueSize + key.length * 2;
}

/**
 * The abort of a memory call: every call has answered by the time it returns (its
 * promise is settled), so there is never anything left to give up on.
 */
function answeredAlready(): void {}

class MemoryBackend implements Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly #maxBytes: number;
  #cache: LRUCache<string, StoredValue> | undefined;
  /** In process, the check and the write are one synchronous step: atomic by construction. */
  readonly conditional: ConditionalWrites = {
    setIfOlder: async (entries) => this.#setIfOlder(entries),
  };

  constructor(options: UncheckedOptions) {
    const { name, maxEntries, maxBytes, maxValueBytes } = resolveOptions(options);
    this.name = name;
    this.#maxBytes = maxBytes;
    this.capabilities = Object.freeze({
      shared: false,
      persistent: false,
      maxKeyBytes: MEMORY_DEFAULTS.maxKeyBytes,
      maxValueBytes,
    });
    this.#cache = new LRUCache<string, StoredValue>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (value, key) => entrySize(key, value),
      // Read the clock on every check instead of caching it behind a timer.
      ttlResolution: 0,
      ttlAutopurge: false,
      allowStale: false,
      updateAgeOnGet: false,
    });
  }

  #open(): LRUCache<string, StoredValue> {
    if (this.#cache === undefined) throw new BackendUnavailableError(this.name, 'closed');
    return this.#cache;
  }

  /** Checks before anything is written, so a rejected entry leaves the cache as it was. */
  #checkEntry(key: string, value: StoredValue, ttlMs: number | undefined): void {
    if (
      !storedValueFits(value, this.capabilities.maxValueBytes) ||
      entrySize(key, value) > this.#maxBytes
    ) {
      throw valueTooLarge(value, this.name, this.capabilities.maxValueBytes);
    }
    checkTtlMs(ttlMs);
  }

  #read(cache: LRUCache<string, StoredValue>, key: string): StoredValue | undefined {
    const stored = cache.get(key);
    // Strings are immutable and handed out as they are; bytes are copied out.
    return stored === undefined || typeof stored === 'string' ? stored : Buffer.from(stored);
  }

  #write(cache: LRUCache<string, StoredValue>, entry: BackendEntry): void {
    // `new Uint8Array(view)` copies into a buffer of its own; a pooled Buffer slice would
    // pin its whole shared slab for as long as the entry lives.
    const { value } = entry;
    const copy = typeof value === 'string' ? value : new Uint8Array(value);
    // ttl 0 is lru-cache's "no expiry"; passing it also clears a TTL from an earlier set.
    cache.set(entry.key, copy, { ttl: entry.ttlMs ?? 0 });
  }

  async get(key: string, control?: CallControl): Promise<StoredValue | undefined> {
    if (control) control.abort = answeredAlready;
    return this.#read(this.#open(), key);
  }

  async getMany(keys: readonly string[]): Promise<Array<StoredValue | undefined>> {
    const cache = this.#open();
    return keys.map((key) => this.#read(cache, key));
  }

  async set(
    key: string,
    value: StoredValue,
    ttlMs: number | undefined,
    control?: CallControl,
  ): Promise<void> {
    if (control) control.abort = answeredAlready;
    const cache = this.#open();
    this.#checkEntry(key, value, ttlMs);
    this.#write(cache, { key, value, ttlMs });
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    const cache = this.#open();
    for (const entry of entries) this.#checkEntry(entry.key, entry.value, entry.ttlMs);
    for (const entry of entries) this.#write(cache, entry);
  }

  #setIfOlder(entries: readonly ConditionalEntry[]): boolean[] {
    const cache = this.#open();
    for (const entry of entries) this.#checkEntry(entry.key, entry.value, entry.ttlMs);
    return entries.map((entry) => {
      // peek: a replay neither refreshes recency nor reads an expired entry.
      const held = cache.peek(entry.key);
      const heldStamp = held === undefined ? undefined : stampOf(held);
      if (heldStamp !== undefined && heldStamp >= entry.stamp) return false;
      this.#write(cache, entry);
      return true;
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.#open().delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const cache = this.#open();
    let removed = 0;
    for (const key of keys) if (cache.delete(key)) removed++;
    return removed;
  }

  async clear(prefix: string): Promise<void> {
    const cache = this.#open();
    // Collect first: deleting while iterating would skip entries.
    const doomed: string[] = [];
    for (const key of cache.keys()) if (key.startsWith(prefix)) doomed.push(key);
    for (const key of doomed) cache.delete(key);
  }

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    this.#cache?.clear();
    this.#cache = undefined;
  }
}

/** An in-process LRU backend; see `MemoryBackendOptions` for bounds and defaults. */
export function memoryBackend(options: MemoryBackendOptions = {}): Backend {
  return new MemoryBackend(options);
}

const KNOWN_FIELDS = new Set(['name', 'maxEntries', 'maxBytes', 'maxValueBytes']);

/**
 * Builds a memory backend from plain configuration data (as `createStore` passes it).
 * Unknown fields and wrong types are a `ConfigError` naming the field.
 */
export function fromConfig(config: Record<string, unknown>): Backend {
  rejectUnknownFields(config, KNOWN_FIELDS, 'memory backend');
  return new MemoryBackend(config);
}
