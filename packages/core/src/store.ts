import type { BackendEntry, StoredValue } from './backend.js';
import { Chain } from './chain.js';
import { DeadlineQueue } from './deadline.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_STARTUP_GRACE_MS,
} from './defaults.js';
import { encodeValue, readValue, stampOf, UNREADABLE } from './envelope.js';
import { ConfigError, StoreClosedError, toError } from './errors.js';
import {
  type OperationObserver,
  StoreEmitter,
  type StoreEventName,
  type StoreListener,
} from './events.js';
import { type Cause, Failover, type OperationSpec } from './failover.js';
import type { StoreHealth } from './health.js';
import { namespacedKey, validateKey, validateNamespace } from './keys.js';
import { type Fits, Limits } from './limits.js';
import { consoleLogger, type Logger } from './logger.js';
import { isCallerError, Member } from './member.js';
import { type Operations, operations } from './operations.js';
import type { ResilientStoreOptions } from './options.js';
import { HybridClock } from './recovery/hlc.js';
import { resolveRecoveryOptions } from './recovery/options.js';
import { Recovery } from './recovery/recovery.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { SingleFlight } from './single-flight.js';
import { breakerOptions, positive, toSlot } from './store-options.js';
import { storedByteLength } from './stored-value.js';
import { applyJitter, parseTtl, type Ttl, validateJitter } from './ttl.js';

export interface SetOptions {
  ttl?: Ttl;
}

export interface SetManyEntry<T = unknown> {
  key: string;
  value: T;
  ttl?: Ttl;
}

/**
 * A cache that keeps answering while its backends fail.
 *
 * Every operation goes to the first backend whose breaker admits it; on an
 * error or a timeout it moves to the next, all within `operationTimeout`. When
 * every backend failed, reads answer a miss and writes reject with
 * `AllBackendsFailedError` (or, with `onAllFailed: 'swallow'`, log once per
 * state change and resolve).
 */
export class ResilientStore {
  private readonly members: readonly Member[];
  private readonly chain: Chain;
  private readonly failover: Failover;
  private readonly limits: Limits;
  private readonly recovery: Recovery;
  private readonly deadlines = new DeadlineQueue();
  private readonly events = new StoreEmitter();
  private readonly flights = new SingleFlight();
  /** Stamps every write, so recovery can tell which of two copies is newer. */
  private readonly clock = new HybridClock();
  private readonly ops: Operations;
  private readonly logger: Logger;
  private readonly serializer: Serializer;
  private readonly namespace: string | undefined;
  private readonly defaultTtlMs: number | undefined;
  private readonly jitter: number;
  private readonly operationTimeoutMs: number;
  /** Every key of this store starts with it ('' without a namespace). */
  private readonly prefix: string;
  private closing: Promise<void> | undefined;

  constructor(options: ResilientStoreOptions) {
    if (!options || !Array.isArray(options.backends) || options.backends.length === 0) {
      throw new ConfigError('backends', 'at least one backend is required');
    }
    this.logger = options.logger ?? consoleLogger;
    this.serializer = options.serializer ?? jsonSerializer;
    this.namespace = validateNamespace(options.namespace);
    this.defaultTtlMs = parseTtl(options.defaultTtl, 'defaultTtl');
    this.jitter = options.jitter === undefined ? 0 : validateJitter(options.jitter);
    this.operationTimeoutMs = positive(
      options.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT_MS,
      'operationTimeout',
    );
    if (options.onAllFailed !== undefined && !['throw', 'swallow'].includes(options.onAllFailed)) {
      throw new ConfigError('onAllFailed', "must be 'throw' or 'swallow'");
    }
    this.prefix = this.namespace === undefined ? '' : `${this.namespace}:`;

    const slots = options.backends.map(toSlot);
    const names = new Set<string>();
    for (const [i, { backend }] of slots.entries()) {
      if (!backend || typeof backend.get !== 'function' || typeof backend.name !== 'string') {
        throw new ConfigError(`backends[${i}]`, 'is not a Backend');
      }
      if (names.has(backend.name)) {
        throw new ConfigError(`backends[${i}].name`, `duplicate backend name "${backend.name}"`);
      }
      names.add(backend.name);
    }
    const storeBreaker = breakerOptions(DEFAULT_BREAKER, options.breaker, 'breaker');
    let chain: Chain | undefined;
    this.members = slots.map(
      ({ backend, breaker }, i) =>
        new Member(
          backend,
          breakerOptions(storeBreaker, breaker, `backends[${i}].breaker`),
          this.deadlines,
          (member, change) => chain?.onMemberChange(member, change),
        ),
    );
    this.chain = chain = new Chain(
      this.members,
      this.events,
      this.logger,
      DEFAULT_STARTUP_GRACE_MS,
    );
    const recovery = new Recovery({
      members: this.members,
      events: this.events,
      logger: this.logger,
      clock: this.clock,
      prefix: this.prefix,
      options: resolveRecoveryOptions(options.recovery),
    });
    this.recovery = recovery;
    this.events.on('recovered', ({ backend }) => recovery.onRecovered(backend));
    this.failover = new Failover({
      members: this.members,
      events: this.events,
      logger: this.logger,
      deadlines: this.deadlines,
      operationTimeoutMs: this.operationTimeoutMs,
      swallowWrites: options.onAllFailed === 'swallow',
      passedOver: (member, spec, input) => recovery.passedOver(member, spec, input),
    });
    this.limits = new Limits(this.members);
    this.ops = operations(this.failover, (stored) => this.decode(stored));
  }

  // ---------------------------------------------------------------- reads

  get<T = unknown>(key: string): Promise<T | undefined> {
    // Not an async function: the hottest call skips one promise and one tick.
    try {
      const full = this.key(key);
      return this.execute(this.ops.get, full, this.limits.key(full)) as Promise<T | undefined>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  getMany<T = unknown>(keys: readonly string[]): Promise<Array<T | undefined>> {
    try {
      if (keys.length === 0) return Promise.resolve([]);
      const full = keys.map((k) => this.key(k));
      return this.execute(this.ops.getMany, full, this.limits.keys(full)) as Promise<
        Array<T | undefined>
      >;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---------------------------------------------------------------- writes

  set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    try {
      const full = this.key(key);
      // One clock read serves as the value's stamp and the operation's start.
      const now = Date.now();
      const entry: BackendEntry = {
        key: full,
        value: this.encode(value, this.clock.at(now)),
        ttlMs: this.ttl(options?.ttl),
      };
      const fits = Limits.both(this.limits.key(full), this.limits.value(entry.value));
      return this.execute(this.ops.set, entry, fits, now);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async setMany<T>(entries: ReadonlyArray<SetManyEntry<T>>): Promise<void> {
    if (entries.length === 0) return;
    const prepared = entries.map((e): BackendEntry => {
      const key = this.key(e.key);
      return { key, value: this.encode(e.value, this.clock.now()), ttlMs: this.ttl(e.ttl) };
    });
    const keys = prepared.map((e) => e.key);
    const largest = Math.max(...prepared.map((e) => storedByteLength(e.value)));
    const fits = Limits.both(this.limits.keys(keys), this.limits.valueBytes(largest));
    return this.execute(this.ops.setMany, prepared, fits);
  }

  async delete(key: string): Promise<boolean> {
    const full = this.key(key);
    return this.execute(this.ops.delete, full, this.limits.key(full));
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const full = keys.map((k) => this.key(k));
    return this.execute(this.ops.deleteMany, full, this.limits.keys(full));
  }

  /**
   * Remove every key of this store's namespace (every key, without a namespace)
   * from every backend that is reachable, so no fallback keeps stale entries.
   */
  async clear(): Promise<void> {
    this.assertOpen();
    const prefix = this.prefix;
    const usable = this.members.filter((m) => m.usable);
    // A backend that misses the clear has it replayed before it serves these keys again.
    for (const member of this.members) {
      if (!member.usable) this.recovery.passedOverClear(member, prefix);
    }
    const results = await Promise.allSettled(
      usable.map((m) =>
        m.call((b) => b.clear(prefix), Math.min(m.timeoutMs * 4, this.operationTimeoutMs)),
      ),
    );
    const causes: Cause[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        causes.push({ backend: usable[i]!.name, error: toError(r.reason) });
        this.recovery.passedOverClear(usable[i]!, prefix);
      }
    });
    if (causes.length === usable.length)
      this.failover.allFailed('clear', causes.length ? causes : this.failover.unavailableCauses());
  }

  /**
   * The cached value, or the loader's result stored with `ttl`. Concurrent calls
   * for one key in this process share one loader call; a loader error reaches
   * every waiting caller and is not cached.
   */
  async getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: SetOptions): Promise<T> {
    return this.flights.run(this.key(key), async () => {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await loader();
      try {
        await this.set(key, value, options);
      } catch (error) {
        // The caller asked for a value and has one; a failed cache write is not theirs.
        if (isCallerError(toError(error))) throw error;
        this.events.emit('error', { backend: null, operation: 'set', error: toError(error) });
      }
      return value;
    });
  }

  // ---------------------------------------------------------------- state

  health(): StoreHealth {
    const active = this.chain.active;
    const first = this.members[0];
    return {
      status: active === undefined ? 'down' : active === first ? 'ok' : 'degraded',
      active: active?.name ?? null,
      backends: this.members.map((m) => ({
        name: m.name,
        state: m.connected ? m.breaker.state : 'unavailable',
        lastError: m.lastError?.message,
        latencyMs: m.latencyMs,
      })),
    };
  }

  /** Resolves once every backend has connected, or after `timeoutMs`. */
  ready(timeoutMs = DEFAULT_STARTUP_GRACE_MS): Promise<void> {
    return this.chain.waitForConnections(timeoutMs);
  }

  on<E extends StoreEventName>(event: E, listener: StoreListener<E>): this {
    this.events.on(event, listener);
    return this;
  }

  once<E extends StoreEventName>(event: E, listener: StoreListener<E>): this {
    this.events.once(event, listener);
    return this;
  }

  off<E extends StoreEventName>(event: E, listener: StoreListener<E>): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Receive the timing of every operation (for metrics). Costs nothing while
   * unset: no clock is read on the hot path without an observer.
   */
  observeOperations(observer: OperationObserver | undefined): void {
    this.failover.observer = observer;
  }

  /** Close every backend. Idempotent; leaves no timer or socket behind. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.chain.close();
      this.recovery.close();
      this.deadlines.clear();
      for (const member of this.members) member.close();
      const results = await Promise.allSettled(this.members.map((m) => m.backend.close()));
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          this.logger.warn(
            { backend: this.members[i]!.name, err: toError(r.reason) },
            `backend "${this.members[i]!.name}" failed to close cleanly`,
          );
        }
      });
      this.events.removeAll();
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------- input

  /** Every operation goes down the chain through here, once the store is known open. */
  private execute<I, T, R>(
    spec: OperationSpec<I, T, R>,
    input: I,
    fits: Fits,
    now?: number,
  ): Promise<R> {
    this.assertOpen();
    return this.failover.execute(spec, input, fits, now);
  }

  private assertOpen(): void {
    if (this.closing) throw new StoreClosedError();
  }

  private key(key: string): string {
    validateKey(key);
    return namespacedKey(this.namespace, key);
  }

  private ttl(ttl: Ttl | undefined): number | undefined {
    const ms = ttl === undefined ? this.defaultTtlMs : parseTtl(ttl);
    return ms !== undefined && this.jitter > 0 ? applyJitter(ms, this.jitter) : ms;
  }

  private encode(value: unknown, stamp: number): StoredValue {
    return encodeValue(value, this.serializer, stamp);
  }

  private decode(stored: StoredValue): unknown {
    // A write after this read must be ordered after the value read, whatever the clocks.
    const stamp = stampOf(stored);
    if (stamp !== undefined) this.clock.observe(stamp);
    const value = readValue(stored, this.serializer);
    if (value === UNREADABLE) {
      this.events.emit('error', {
        backend: null,
        operation: 'get',
        error: new Error('unreadable entry treated as a miss'),
      });
      return undefined;
    }
    return value;
  }
}
