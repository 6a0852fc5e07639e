import {
  type Backend,
  type BackendCapabilities,
  type BackendEntry,
  BackendUnavailableError,
  type CallControl,
  type ConditionalWrites,
  checkKey,
  checkPrefix,
  checkValue,
  type StoredValue,
  storedBytes,
} from '@resilient-store/core/backend';
import memjs from 'memjs';
import { ServersAvailability } from './availability.js';
import { memcachedConditionalWrites } from './conditional-writes.js';
import { ServerConnection } from './connection.js';
import { type GenerationState, Generations } from './generations.js';
import { storedKey } from './key-mapping.js';
import { MEMCACHED_MAX_KEY_BYTES, type MemcachedBackendOptions } from './options.js';
import {
  checkStored,
  Opcode,
  type Reply,
  request,
  Status,
  statusError,
  storeExtras,
} from './protocol.js';
import { type MemcachedSettings, resolveSettings } from './settings.js';
import { expiration } from './ttl.js';

/** A Memcached `Backend`, with the memjs client and the server connections it drives, for diagnostics. */
export interface MemcachedBackend extends Backend {
  /** Available while every server is connected (see the README: one server down moves the whole backend aside). */
  readonly availability: ServersAvailability;
  /** The memjs client. Its commands bypass key mapping and generations: do not write through it. */
  readonly client: memjs.Client;
  /** One connection per server, in the configured order. */
  readonly connections: readonly ServerConnection[];
  /** `setIfOlder` with gets/cas, for recovery replay (see conditional-writes.ts). */
  readonly conditional: ConditionalWrites;
}

/**
 * Creates a Memcached backend over memjs. Never throws for an unreachable server: the
 * backend reports itself unavailable and its operations fail at once until the server
 * answers. Throws `ConfigError` for invalid options.
 */
export function memcachedBackend(options: MemcachedBackendOptions): MemcachedBackend {
  return new MemcachedBackendImpl(resolveSettings(options));
}

type Callback = (error: Error | null, reply: Reply | null) => void;

interface Group {
  readonly index: number;
  readonly positions: number[];
}

class MemcachedBackendImpl implements MemcachedBackend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly availability: ServersAvailability;
  readonly client: memjs.Client;
  readonly connections: readonly ServerConnection[];
  readonly conditional: ConditionalWrites;
  readonly #settings: MemcachedSettings;
  readonly #generations: readonly Generations[];
  #closed = false;

  constructor(settings: MemcachedSettings) {
    this.name = settings.name;
    this.#settings = settings;
    this.capabilities = Object.freeze({
      shared: true,
      persistent: false,
      maxKeyBytes: MEMCACHED_MAX_KEY_BYTES,
      maxValueBytes: settings.maxValueBytes,
    });
    const availability = new ServersAvailability(settings.servers.length);
    this.availability = availability;
    this.connections = settings.servers.map(
      (address, index) =>
        new ServerConnection(address, settings, (up, cause) =>
          availability.update(index, up, cause),
        ),
    );
    // memjs routes and frames; retries are this backend's (see #send), so memjs makes one
    // attempt, never re-routes a key to another server, and logs nothing.
    this.client = new memjs.Client(this.connections as unknown as memjs.Server[], {
      retries: 1,
      failover: false,
      logger: { log: () => {} },
    });
    this.#generations = this.connections.map(
      (_, index) =>
        new Generations(
          { pipeline: (build) => this.#pipeline(index, build) },
          settings.generationCacheMs,
          settings.maxClearedPrefixes,
        ),
    );
    this.conditional = memcachedConditionalWrites({
      name: this.name,
      maxValueBytes: settings.maxValueBytes,
      perServer: (keys, work) =>
        this.#perServer(keys, ({ index, positions }, state) => work(index, positions, state)),
      stored: (state, key) => this.#stored(state, key),
      pipeline: (index, build) => this.#pipeline(index, build),
    });
  }

  get(key: string, control?: CallControl): Promise<Buffer | null> {
    try {
      checkKey(key, MEMCACHED_MAX_KEY_BYTES);
    } catch (error) {
      return Promise.reject(error);
    }
    const index = this.#index(key);
    const state = this.#generations[index]?.fresh(Date.now());
    if (state) return this.#get(index, key, state, control);
    return this.#state(index).then((loaded) => this.#get(index, key, loaded, undefined));
  }

  set(
    key: string,
    value: StoredValue,
    ttlMs: number | undefined,
    control?: CallControl,
  ): Promise<unknown> {
    let bytes: Buffer | string;
    let expires: number;
    try {
      checkKey(key, MEMCACHED_MAX_KEY_BYTES);
      expires = expiration(ttlMs);
      bytes = this.#value(value);
    } catch (error) {
      return Promise.reject(error);
    }
    const index = this.#index(key);
    const state = this.#generations[index]?.fresh(Date.now());
    if (state) return this.#set(index, key, state, expires, bytes, control);
    return this.#state(index).then((loaded) =>
      this.#set(index, key, loaded, expires, bytes, undefined),
    );
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key, MEMCACHED_MAX_KEY_BYTES);
    const index = this.#index(key);
    const stored = storedKey(Generations.tag(await this.#state(index), key), key);
    const reply = await this.#send(index, key, (seq) => request(Opcode.delete, stored, seq));
    if (reply.header.status === Status.ok) return true;
    if (reply.header.status === Status.notFound) return false;
    throw statusError('delete', reply);
  }

  async getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    for (const key of keys) checkKey(key, MEMCACHED_MAX_KEY_BYTES);
    const answers = new Array<Buffer | undefined>(keys.length).fill(undefined);
    await this.#perServer(keys, async ({ index, positions }, state) => {
      const replies = await this.#pipeline(index, (next) =>
        positions.map((at) => request(Opcode.get, this.#stored(state, keys[at] as string), next())),
      );
      replies.forEach((reply, i) => {
        if (reply.header.status === Status.ok) answers[positions[i] as number] = reply.val;
        else if (reply.header.status !== Status.notFound) throw statusError('get', reply);
      });
    });
    return answers;
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    // Every entry is checked before any is sent: bad input writes nothing.
    const checked = entries.map(({ key, value, ttlMs }) => {
      checkKey(key, MEMCACHED_MAX_KEY_BYTES);
      return {
        key,
        expires: expiration(ttlMs),
        bytes: this.#value(value),
      };
    });
    await this.#perServer(
      checked.map((entry) => entry.key),
      async ({ index, positions }, state) => {
        const replies = await this.#pipeline(index, (next) =>
          positions.map((at) => {
            const { key, expires, bytes } = checked[at] as (typeof checked)[number];
            return request(
              Opcode.set,
              this.#stored(state, key),
              next(),
              storeExtras(expires),
              bytes,
            );
          }),
        );
        for (const reply of replies) checkStored(reply);
      },
    );
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    for (const key of keys) checkKey(key, MEMCACHED_MAX_KEY_BYTES);
    let removed = 0;
    await this.#perServer([...new Set(keys)], async ({ index, positions }, state, distinct) => {
      const replies = await this.#pipeline(index, (next) =>
        positions.map((at) =>
          request(Opcode.delete, this.#stored(state, distinct[at] as string), next()),
        ),
      );
      for (const reply of replies) {
        if (reply.header.status === Status.ok) removed++;
        else if (reply.header.status !== Status.notFound) throw statusError('delete', reply);
      }
    });
    return removed;
  }

  async clear(prefix: string): Promise<void> {
    checkPrefix(prefix, MEMCACHED_MAX_KEY_BYTES);
    this.#checkOpen();
    // Every server holds keys under the prefix, so every server's generation moves.
    await Promise.all(this.#generations.map((generations) => generations.clear(prefix)));
  }

  async ping(): Promise<void> {
    this.#checkOpen();
    await Promise.all(
      this.connections.map(async (_, index) => {
        const [reply] = await this.#pipeline(index, (next) => [request(Opcode.noop, '', next())]);
        if (reply?.header.status !== Status.ok) throw new Error('memcached did not answer NOOP');
      }),
    );
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const connection of this.connections) connection.close();
      this.availability.close();
    }
    return Promise.resolve();
  }

  /** The server a key lives on: memjs's distribution, which `Client#perform` applies too. */
  #index(key: string): number {
    const servers = this.connections.length;
    return servers === 1 ? 0 : memjs.Utils.hashCode(key) % servers;
  }

  #state(index: number): Promise<GenerationState> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const generations = this.#generations[index] as Generations;
    const state = generations.fresh(Date.now());
    return state ? Promise.resolve(state) : generations.load();
  }

  #stored(state: GenerationState, key: string): string {
    return storedKey(Generations.tag(state, key), key);
  }

  #get(
    index: number,
    key: string,
    state: GenerationState,
    control: CallControl | undefined,
  ): Promise<Buffer | null> {
    const stored = this.#stored(state, key);
    return this.#send(index, key, (seq) => request(Opcode.get, stored, seq), control).then(
      (reply) => {
        if (reply.header.status === Status.ok) return reply.val;
        if (reply.header.status === Status.notFound) return null;
        throw statusError('get', reply);
      },
    );
  }

  #set(
    index: number,
    key: string,
    state: GenerationState,
    expires: number,
    bytes: Buffer | string,
    control: CallControl | undefined,
  ): Promise<void> {
    const stored = this.#stored(state, key);
    return this.#send(
      index,
      key,
      (seq) => request(Opcode.set, stored, seq, storeExtras(expires), bytes),
      control,
    ).then(checkStored);
  }

  /**
   * One request through memjs's `Client#perform`, routed by the store's key (the
   * request carries the mapped key). A request whose connection was lost is sent again,
   * at most `retries` times; a timeout is not retried. An abort forgets the request: a
   * reply that still comes is dropped by the connection, never handed to another call.
   */
  #send(
    index: number,
    routeKey: string,
    build: (seq: number) => Buffer,
    control?: CallControl,
  ): Promise<Reply> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise<Reply>((resolve, reject) => {
      let attempts = 0;
      let seq = 0;
      let settled = false;
      const done: Callback = (error, reply) => {
        if (settled) return;
        if (error) {
          if (isRetryable(error) && attempts <= this.#settings.retries && !this.#closed) {
            go();
            return;
          }
          settled = true;
          reject(error);
          return;
        }
        settled = true;
        resolve(reply as Reply);
      };
      const go = () => {
        attempts++;
        seq = this.#nextOpaque();
        this.client.perform(routeKey, build(seq), seq, done);
      };
      if (control) {
        control.abort = (reason) => {
          if (settled) return;
          settled = true;
          this.connections[index]?.cancel(seq);
          reject(reason);
        };
      }
      go();
    });
  }

  /** Requests to one server in one write, sent again like `#send` when the connection was lost. */
  async #pipeline(index: number, build: (nextOpaque: () => number) => Buffer[]): Promise<Reply[]> {
    const connection = this.connections[index] as ServerConnection;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw this.#closedError();
      try {
        return await connection.pipeline(build(() => this.#nextOpaque()));
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.#settings.retries) throw error;
      }
    }
  }

  /** Runs `work` once per server holding some of `keys`, in parallel, with that server's generations. */
  async #perServer(
    keys: readonly string[],
    work: (group: Group, state: GenerationState, keys: readonly string[]) => Promise<void>,
  ): Promise<void> {
    if (keys.length === 0) return;
    this.#checkOpen();
    const groups = new Map<number, Group>();
    keys.forEach((key, position) => {
      const index = this.#index(key);
      let group = groups.get(index);
      if (!group) {
        group = { index, positions: [] };
        groups.set(index, group);
      }
      group.positions.push(position);
    });
    await Promise.all(
      [...groups.values()].map(async (group) => work(group, await this.#state(group.index), keys)),
    );
  }

  #nextOpaque(): number {
    this.client.incrSeq();
    return this.client.seq;
  }

  /** Checks a value against the item limit before anything is sent; strings go to memjs as they are. */
  #value(value: unknown): Buffer | string {
    checkValue(value, this.name, this.#settings.maxValueBytes);
    return typeof value === 'string' ? value : storedBytes(value);
  }

  #checkOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): Error {
    return new BackendUnavailableError(this.name, 'closed');
  }
}

function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable === true;
}
