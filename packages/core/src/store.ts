import type { BackendEntry } from './backend.js';
import {
  InvalidArgumentError,
  InvalidInputError,
  LoaderTimeoutError,
  StoreClosedError,
  toError,
} from './errors.js';
import {
  type BackendHealth,
  type JournalHealth,
  type OperationObserver,
  StoreEmitter,
  type StoreEventName,
  type StoreHealth,
  type StoreListener,
} from './events.js';
import { validateKey } from './kit/keys.js';
import { storedByteLength } from './kit/stored-value.js';
import type { Logger } from './logger.js';
import {
  DEFAULT_STARTUP_GRACE_MS,
  type ResilientStoreOptions,
  resolveBackends,
  resolveSettings,
} from './options.js';
import { HybridClock } from './recovery/hlc.js';
import { TOMBSTONE_TTL_MS } from './recovery/options.js';
import { Recovery } from './recovery/recovery.js';
import { type OperationSpec, Router } from './routing/call.js';
import { DeadlineQueue } from './routing/deadline.js';
import { type Fits, Limits } from './routing/limits.js';
import { LoopMonitor } from './routing/loop-monitor.js';
import { Member } from './routing/member.js';
import {
  DELETE,
  DELETE_MANY,
  type DeleteSpecs,
  deletesLeavingTombstones,
  GET,
  GET_MANY,
  HAS,
  SET,
  SET_MANY,
} from './routing/operations.js';
import { OutageReporter } from './routing/outage-reporter.js';
import { type FlightState, SingleFlight } from './routing/single-flight.js';
import { ValueCodec } from './values/codec.js';
import { encodeTombstone } from './values/envelope.js';
import { namespacedKey } from './values/keys.js';
import { applyJitter, parseTtl, type Ttl } from './values/ttl.js';

export interface SetOptions {
  ttl?: Ttl;
}

export interface GetOrSetOptions extends SetOptions {
  /**
   * Longest a caller waits for the value (the cache read, the loader and the
   * write), in ms or as a duration ('30s'). Default `DEFAULT_LOADER_TIMEOUT_MS`
   * (10 s). After it every waiting caller rejects with `LoaderTimeoutError`, the
   * key is released for the next `getOrSet`, and the loader's late result is dropped.
   */
  timeout?: Ttl;
}

/** How long `getOrSet` callers wait for a loader unless told otherwise. */
export const DEFAULT_LOADER_TIMEOUT_MS = 10_000;

export interface SetManyEntry<T = unknown> {
  key: string;
  value: T;
  ttl?: Ttl;
}

/** @internal A configured backend `createStore` left out, where it stood in the configuration. */
export interface MissingBackend {
  readonly position: number;
  readonly name: string;
  readonly reason: string;
}

/**
 * A cache that keeps answering while its backends fail.
 *
 * Every operation goes to the first backend whose breaker admits it; on an
 * error or a timeout it moves to the next, all within `operationTimeout`. When
 * every backend failed, reads answer a miss and writes reject with
 * `AllBackendsFailedError` (or, with `onAllFailed: 'swallow'`, log once per
 * state change and resolve). How a call travels: routing/call.ts.
 */
export class ResilientStore {
  private readonly members: readonly Member[];
  private readonly outages: OutageReporter;
  private readonly router: Router;
  private readonly limits: Limits;
  private readonly codec: ValueCodec;
  private readonly recovery: Recovery;
  /** With recovery on, a delete on a shared backend leaves a tombstone (see `deletesLeavingTombstones`). */
  private readonly deletes: DeleteSpecs;
  private readonly deadlines = new DeadlineQueue();
  private readonly events = new StoreEmitter();
  private readonly flights = new SingleFlight();
  private readonly loop = new LoopMonitor();
  private readonly logger: Logger;
  private readonly namespace: string | undefined;
  private readonly defaultTtlMs: number | undefined;
  private readonly jitter: number;
  /** Every key of this store starts with it ('' without a namespace). */
  private readonly prefix: string;
  private closing: Promise<void> | undefined;
  /** Backends `createStore` was configured with but left out, in configuration order. */
  private readonly missing: readonly MissingBackend[];

  /** @param internal what `createStore` knows beyond the options (backends it left out) */
  constructor(
    options: ResilientStoreOptions,
    internal: { readonly missing?: readonly MissingBackend[] } = {},
  ) {
    this.missing = [...(internal.missing ?? [])].sort((a, b) => a.position - b.position);
    const settings = resolveSettings(options ?? {});
    const backends = resolveBackends(options?.backends, settings.breaker);
    this.logger = settings.logger;
    this.namespace = settings.namespace;
    this.prefix = settings.prefix;
    this.defaultTtlMs = settings.defaultTtlMs;
    this.jitter = settings.jitter;
    // Stamps every write, so recovery can tell which of two copies is newer.
    const clock = new HybridClock();
    this.codec = new ValueCodec(settings.serializer, this.events, clock);

    let outages: OutageReporter | undefined;
    this.members = backends.map(
      ({ backend, breaker }) =>
        new Member(backend, breaker, this.deadlines, (member, change) =>
          outages?.onMemberChange(member, change),
        ),
    );
    this.outages = outages = new OutageReporter(
      this.members,
      this.events,
      this.logger,
      DEFAULT_STARTUP_GRACE_MS,
    );
    const recovery = new Recovery({
      members: this.members,
      events: this.events,
      logger: this.logger,
      clock,
      prefix: this.prefix,
      options: settings.recovery,
    });
    this.recovery = recovery;
    this.deletes = settings.recovery.journal
      ? deletesLeavingTombstones(() => encodeTombstone(clock.now()), TOMBSTONE_TTL_MS)
      : { one: DELETE, many: DELETE_MANY };
    this.events.on('recovered', ({ backend }) => recovery.onRecovered(backend));
    this.router = new Router({
      members: this.members,
      events: this.events,
      logger: this.logger,
      deadlines: this.deadlines,
      codec: this.codec,
      operationTimeoutMs: settings.operationTimeoutMs,
      swallowWrites: settings.swallowWrites,
      passedOver: (member, spec, input) => recovery.passedOver(member, spec, input),
      missedClear: (member, prefix) => recovery.passedOverClear(member, prefix),
    });
    this.limits = new Limits(this.members);
  }

  // ---------------------------------------------------------------- reads

  get<T = unknown>(key: string): Promise<T | undefined> {
    // Not an async function: the hottest call skips one promise and one tick.
    try {
      return this.getKey(this.key(key)) as Promise<T | undefined>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Whether an entry is there; its value is not decoded. */
  has(key: string): Promise<boolean> {
    try {
      const full = this.key(key);
      return this.execute(HAS, full, this.limits.key(full));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  getMany<T = unknown>(keys: readonly string[]): Promise<Array<T | undefined>> {
    try {
      assertArray(keys, 'getMany(keys)', 'an array of keys');
      if (keys.length === 0) return Promise.resolve([]);
      const full = keys.map((k) => this.key(k));
      return this.execute(GET_MANY, full, this.limits.keys(full)) as Promise<Array<T | undefined>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---------------------------------------------------------------- writes

  set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    try {
      assertOptions(options, 'set');
      const full = this.key(key);
      this.flights.detach(full);
      return this.setKey(full, value, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async setMany<T>(entries: ReadonlyArray<SetManyEntry<T>>): Promise<void> {
    assertArray(entries, 'setMany(entries)', 'an array of { key, value, ttl? }');
    if (entries.length === 0) return;
    const now = Date.now();
    let largest = 0;
    const prepared = entries.map((e, i): BackendEntry => {
      if (typeof e !== 'object' || e === null) {
        throw new InvalidArgumentError(
          `setMany(entries): entries[${i}] must be an object { key, value, ttl? }, got ${describeArgument(e)}`,
        );
      }
      const key = this.key(e.key);
      this.limits.atLeast(this.codec.bytesAtLeast(e.value));
      const entry = {
        key,
        value: this.codec.encode(e.value, now),
        ttlMs: this.ttl(e.ttl),
      };
      // A loop, not Math.max(...sizes): spreading a large batch overflows the call stack.
      largest = Math.max(largest, storedByteLength(entry.value));
      return entry;
    });
    const keys = prepared.map((e) => e.key);
    const fits = Limits.both(this.limits.keys(keys), this.limits.valueBytes(largest));
    for (const key of keys) this.flights.detach(key);
    return this.execute(SET_MANY, prepared, fits);
  }

  async delete(key: string): Promise<boolean> {
    const full = this.key(key);
    this.flights.detach(full);
    return this.execute(this.deletes.one, full, this.limits.key(full));
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    assertArray(keys, 'deleteMany(keys)', 'an array of keys');
    if (keys.length === 0) return 0;
    const full = keys.map((k) => this.key(k));
    for (const key of full) this.flights.detach(key);
    return this.execute(this.deletes.many, full, this.limits.keys(full));
  }

  /**
   * Remove every key of this store's namespace (every key, without a namespace)
   * from every backend that is reachable, so no fallback keeps stale entries. A
   * backend that could not clear (unavailable, failed, timed out) is recorded in
   * its recovery journal: it serves none of these keys until the clear is
   * replayed into it; an `error` event and a log line say so. Rejects with
   * `AllBackendsFailedError` only when no backend cleared.
   */
  async clear(): Promise<void> {
    this.assertOpen();
    this.flights.detachAll();
    await this.router.clear(this.prefix);
  }

  /**
   * The cached value, or the loader's result stored with `ttl`.
   *
   * - Concurrent calls for one key in this process share one loader call; a
   *   loader error reaches every waiting caller and is not cached.
   * - A miss answers what a hit would: the loader's value after its round trip
   *   through the serializer (with JSON, a `Date` comes back as its ISO string
   *   either way; see docs/configuration.md).
   * - A loader answering `undefined` caches nothing: every waiting caller gets
   *   `undefined`, and the next `getOrSet` calls the loader again.
   * - Callers wait at most `timeout` (default 10 s), then reject with
   *   `LoaderTimeoutError`; the key is released and the late result dropped.
   * - A `set`, `delete` or `clear` of the key while the loader runs wins: later
   *   callers do not join that load, and its result is not written.
   * - `close()` rejects every waiting caller with `StoreClosedError`.
   */
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: GetOrSetOptions): Promise<T> {
    try {
      assertOptions(options, 'getOrSet');
      const full = this.key(key);
      if (typeof loader !== 'function') {
        throw new InvalidArgumentError(
          `getOrSet(key, loader): loader must be a function, got ${describeArgument(loader)}`,
        );
      }
      const timeoutMs = parseTtl(options?.timeout, 'timeout') ?? DEFAULT_LOADER_TIMEOUT_MS;
      const ttlMs = this.ttl(options?.ttl);
      this.assertOpen();
      return this.flights.run(
        full,
        timeoutMs,
        () => new LoaderTimeoutError(timeoutMs),
        (flight) => this.load(full, loader, ttlMs, flight),
      ) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---------------------------------------------------------------- state

  health(): StoreHealth {
    const active = this.outages.active;
    const complete = active === this.members[0] && this.missing.length === 0;
    const backends: BackendHealth[] = this.members.map((m) => ({
      name: m.name,
      state: m.connected ? m.breaker.state : 'unavailable',
      lastError: m.lastError?.message,
      latencyMs: m.latencyMs,
      failedAttempts: m.failedAttempts,
      stalledTimeouts: m.stalledTimeouts,
      keyErrors: m.keyErrors,
    }));
    // In ascending position, each lands where it stood in the configuration.
    for (const { position, name, reason } of this.missing) {
      backends.splice(position, 0, {
        name,
        state: 'missing',
        lastError: reason,
        latencyMs: undefined,
        failedAttempts: 0,
        stalledTimeouts: 0,
        keyErrors: 0,
      });
    }
    return {
      status: active === undefined ? 'down' : complete ? 'ok' : 'degraded',
      active: active?.name ?? null,
      backends,
      eventLoop: this.loop.read(),
    };
  }

  /** Each backend's recovery journal: keys waiting to be replayed into it (for metrics). */
  journals(): JournalHealth[] {
    return this.recovery.journals();
  }

  /** Resolves once every backend has connected, or after `timeoutMs`. */
  ready(timeoutMs = DEFAULT_STARTUP_GRACE_MS): Promise<void> {
    return this.outages.waitForConnections(timeoutMs);
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
    this.router.observer = observer;
  }

  /**
   * Close every backend. Idempotent; leaves no timer or socket behind. Calls
   * still in flight reject with `StoreClosedError` (unless their backend answers
   * first), as do `getOrSet` callers waiting for a loader; nothing of it is
   * reported as a backend failure.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.router.closed = true;
      this.flights.closeAll(new StoreClosedError());
      this.outages.close();
      this.recovery.close();
      this.loop.close();
      for (const member of this.members) member.close();
      const results = await Promise.allSettled(this.members.map((m) => m.backend.close()));
      // A call a backend never answered, closed or not, is given up now.
      this.deadlines.expireAll();
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

  /** Every operation goes down the backends through here, once the store is known open. */
  private execute<I, T, R>(spec: OperationSpec<I, T, R>, input: I, fits: Fits): Promise<R> {
    this.assertOpen();
    return this.router.run(spec, input, fits);
  }

  /** `get` of a key already validated and namespaced. */
  private getKey(full: string): Promise<unknown> {
    return this.execute(GET, full, this.limits.key(full));
  }

  /** `set` of a key already validated and namespaced. */
  private setKey(full: string, value: unknown, options: SetOptions | undefined): Promise<void> {
    // The value's write time; the operation's deadline starts after encoding (Router.run).
    const now = Date.now();
    const entry = this.entry(full, value, this.ttl(options?.ttl), now);
    return this.execute(SET, entry, this.fits(entry));
  }

  /** The stored entry for `value`; a value too large is refused before it is encoded. */
  private entry(
    full: string,
    value: unknown,
    ttlMs: number | undefined,
    now: number,
  ): BackendEntry {
    this.limits.atLeast(this.codec.bytesAtLeast(value));
    return { key: full, value: this.codec.encode(value, now), ttlMs };
  }

  private fits(entry: BackendEntry): Fits {
    return Limits.both(this.limits.key(entry.key), this.limits.value(entry.value));
  }

  /** One `getOrSet` load: the cached value, or the loader's, written unless a newer write came. */
  private async load(
    full: string,
    loader: () => unknown,
    ttlMs: number | undefined,
    flight: FlightState,
  ): Promise<unknown> {
    const cached = await this.getKey(full);
    if (cached !== undefined) return cached;
    const value = await loader();
    // Nothing to cache; the caller gets undefined, as a miss would answer.
    if (value === undefined) return undefined;
    const now = Date.now();
    const entry = this.entry(full, value, ttlMs, now);
    const fits = this.fits(entry);
    // What a hit would answer: the same shape on a hit and a miss.
    const answer = this.codec.roundTrip(entry.value);
    // A set, delete or clear of the key came while loading (or the flight timed
    // out): that write is newer than this value, which is not written over it.
    if (!flight.current) return answer;
    try {
      await this.execute(SET, entry, fits);
    } catch (error) {
      // The caller asked for a value and has one; a failed cache write is not theirs.
      if (error instanceof InvalidInputError || error instanceof StoreClosedError) throw error;
      this.events.emit('error', { backend: null, operation: 'set', error: toError(error) });
    }
    return answer;
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
}

/** What a wrong argument was, for its error message (never the value itself). */
function describeArgument(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function assertArray(value: unknown, call: string, expected: string): void {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(`${call}: expected ${expected}, got ${describeArgument(value)}`);
  }
}

/** Options are absent or an object. */
function assertOptions(options: unknown, call: string): void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError(
      `${call}: options must be an object such as { ttl }, got ${describeArgument(options)}`,
    );
  }
}
