import {
  type Backend,
  type BackendCapabilities,
  type BackendEntry,
  BackendUnavailableError,
  type CallControl,
  type ConditionalWrites,
  checkKey,
  checkPrefix,
  checkTtlMs,
  checkValue,
  type StoredValue,
  storedBytes,
} from '@resilient-store/core/backend';
import { Cluster } from 'ioredis';
import { clearPrefix } from './clear-prefix.js';
import { closeClient } from './close-client.js';
import { CommandWriter } from './command-writer.js';
import { redisConditionalWrites } from './conditional-writes.js';
import { ConnectionState } from './connection-state.js';
import { createClient, silenceLimitMs } from './create-client.js';
import { type KeyCommands, keyCommands, type SetCommand } from './key-commands.js';
import { REDIS_MAX_KEY_BYTES, type RedisBackendOptions, type RedisClient } from './options.js';
import { isKeyDataReply } from './reply-errors.js';
import { type RedisSettings, resolveSettings } from './settings.js';
import { SilenceWatch } from './silence-watch.js';

/** A Redis `Backend`, with the ioredis client it drives exposed for diagnostics. */
export interface RedisBackend extends Backend {
  readonly availability: ConnectionState;
  /** The underlying client. Commands sent on it bypass the backend's checks. */
  readonly client: RedisClient;
}

/**
 * Creates a Redis backend: a single server (`url`), a Sentinel-managed master
 * (`sentinels` + `masterName`), a Cluster (`cluster`), or an existing ioredis client
 * (`client`). Never throws for an unreachable server: the backend reports itself
 * unavailable and its operations reject at once until Redis answers. Throws
 * `ConfigError` for invalid options.
 */
export function redisBackend(options: RedisBackendOptions): RedisBackend {
  const settings = resolveSettings(options);
  const { client, owned } = createClient(options, settings);
  return new RedisBackendImpl(client, owned, settings);
}

class RedisBackendImpl implements RedisBackend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly availability: ConnectionState;
  readonly client: RedisClient;
  readonly conditional: ConditionalWrites;
  readonly #owned: boolean;
  readonly #settings: RedisSettings;
  readonly #commands: KeyCommands;
  /** How GET, SET and UNLINK are sent. */
  readonly #writer: CommandWriter;
  /** Declares a silent server dead, on a client the backend owns (an adopted one keeps its settings). */
  readonly #silence: SilenceWatch | undefined;
  #closing: Promise<void> | undefined;

  constructor(client: RedisClient, owned: boolean, settings: RedisSettings) {
    this.name = settings.name;
    this.client = client;
    this.#owned = owned;
    this.#settings = settings;
    this.#commands = keyCommands(client);
    this.#writer = new CommandWriter(client);
    this.conditional = redisConditionalWrites(client, this.name, settings.maxValueBytes, () =>
      this.#ready(),
    );
    this.availability = new ConnectionState(client, settings.name, { keepErrorListener: owned });
    this.#silence = owned ? new SilenceWatch(client, silenceLimitMs(settings)) : undefined;
    this.capabilities = Object.freeze({
      shared: true,
      // Whether entries survive a restart depends on the server's RDB/AOF settings,
      // which a client cannot promise; a cache must not count on it.
      persistent: false,
      maxKeyBytes: REDIS_MAX_KEY_BYTES,
      maxValueBytes: settings.maxValueBytes,
    });
  }

  get(key: string, control?: CallControl): Promise<Buffer | null> {
    // The hottest path of the product: no closures, and the command's own promise is
    // returned as is (null is a miss in the Backend contract).
    try {
      checkKey(key, REDIS_MAX_KEY_BYTES);
    } catch (error) {
      return Promise.reject(error);
    }
    // Still connecting: no abort to offer yet, so the store bounds the wait itself.
    if (!this.#sendNow()) return this.#ready().then(() => this.#writer.get(key, undefined));
    return this.#writer.get(key, control);
  }

  async getMany(keys: readonly string[]): Promise<Array<Uint8Array | undefined>> {
    for (const key of keys) checkKey(key, REDIS_MAX_KEY_BYTES);
    if (keys.length === 0) return [];
    await this.#ready();
    const values = await this.#commands.mget(keys);
    return values.map((value) => value ?? undefined);
  }

  set(
    key: string,
    value: StoredValue,
    ttlMs: number | undefined,
    control?: CallControl,
  ): Promise<unknown> {
    // As hot as get: validated inline, and ioredis's "OK" passed on as is.
    let bytes: Buffer | string;
    try {
      checkKey(key, REDIS_MAX_KEY_BYTES);
      checkTtlMs(ttlMs);
      checkValue(value, this.name, this.#settings.maxValueBytes);
      bytes = sendable(value);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.#sendNow()) {
      return this.#ready().then(() => this.#writer.set(key, bytes, ttlMs, undefined));
    }
    return this.#writer.set(key, bytes, ttlMs, control);
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    const commands: SetCommand[] = entries.map(({ key, value, ttlMs }) => {
      checkKey(key, REDIS_MAX_KEY_BYTES);
      checkTtlMs(ttlMs);
      checkValue(value, this.name, this.#settings.maxValueBytes);
      return { key, value: sendable(value), ttlMs };
    });
    if (commands.length === 0) return;
    await this.#ready();
    await this.#commands.set(commands);
  }

  delete(key: string): Promise<boolean> {
    return this.#run(
      () => checkKey(key, REDIS_MAX_KEY_BYTES),
      () => this.#writer.unlink(key).then((removed) => removed > 0),
    );
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    for (const key of keys) checkKey(key, REDIS_MAX_KEY_BYTES);
    if (keys.length === 0) return 0;
    await this.#ready();
    return this.#commands.unlink(keys);
  }

  async clear(prefix: string): Promise<void> {
    checkPrefix(prefix, REDIS_MAX_KEY_BYTES);
    await this.#ready();
    await clearPrefix(this.client, this.#commands, prefix);
  }

  async ping(): Promise<void> {
    await this.#ready();
    const client = this.client;
    if (client instanceof Cluster) {
      // The probe that returns a cluster to service after a failover must see the
      // promoted replica: while the store serves elsewhere no command brings a
      // MOVED, so ask for the slot map now instead of waiting for the periodic refresh.
      await refreshSlots(client);
    }
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    if (nodes.length === 0) throw this.availability.unavailableError();
    await Promise.all(nodes.map((node) => node.ping()));
  }

  /** Error replies about one key's entry, such as WRONGTYPE (reply-errors.ts). */
  isKeyDataError(error: Error): boolean {
    return isKeyDataReply(error);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#silence?.close();
    try {
      if (this.#owned) await closeClient(this.client, this.#settings.closeTimeout);
    } finally {
      this.availability.close();
    }
  }

  /**
   * Validate, then send. The common case — input valid, client ready — sends at
   * once: no async frame and no extra tick on the hot path. Otherwise the input
   * error rejects, or the command waits for the first connection (bounded) or
   * rejects at once while Redis is known to be down.
   */
  #run<T>(check: () => void, send: () => Promise<T>): Promise<T> {
    try {
      check();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#sendNow()) return send();
    return this.#ready().then(send);
  }

  /** True when a command can go out at once: open, and connected. */
  #sendNow(): boolean {
    return !this.#closing && this.availability.isAvailable();
  }

  #ready(): Promise<void> {
    if (this.#closing) return Promise.reject(new BackendUnavailableError(this.name, 'closed'));
    return this.availability.whenReady(this.#settings.commandTimeout);
  }
}

/** What ioredis should send: a string as it is (its cheaper path), bytes as a Buffer view (no copy). */
function sendable(value: StoredValue): Buffer | string {
  return typeof value === 'string' ? value : storedBytes(value);
}

function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) => {
    cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve()));
  });
}
