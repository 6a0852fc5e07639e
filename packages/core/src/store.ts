import type { Backend, StoredValue } from './backend.js';
import { Chain } from './chain.js';
import { DeadlineQueue } from './deadline.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_STARTUP_GRACE_MS,
} from './defaults.js';
import { encodeValue, readValue, UNREADABLE } from './envelope.js';
import {
  AllBackendsFailedError,
  BackendUnavailableError,
  ConfigError,
  InvalidKeyError,
  StoreClosedError,
  ValueTooLargeError,
} from './errors.js';
import {
  type OperationName,
  type OperationObserver,
  StoreEmitter,
  type StoreEventName,
  type StoreListener,
} from './events.js';
import type { StoreHealth } from './health.js';
import { keyBytes, namespacedKey, validateKey, validateNamespace } from './keys.js';
import { consoleLogger, type Logger } from './logger.js';
import { isCallerError, Member, toError } from './member.js';
import type { BackendSlot, BreakerOptions, ResilientStoreOptions } from './options.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { SingleFlight } from './single-flight.js';
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

/** An attempt that failed on one backend, kept to explain an all-failed error. */
interface Cause {
  backend: string;
  error: Error;
}

/** Which backends a call may use, given the size of its key and value. */
type Fits = (member: Member) => boolean;

const FITS_ALL: Fits = () => true;

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
  private readonly deadlines = new DeadlineQueue();
  private readonly events = new StoreEmitter();
  private readonly flights = new SingleFlight();
  private readonly logger: Logger;
  private readonly serializer: Serializer;
  private readonly namespace: string | undefined;
  private readonly defaultTtlMs: number | undefined;
  private readonly jitter: number;
  private readonly operationTimeoutMs: number;
  private readonly swallowWrites: boolean;
  /** Keys of up to this many UTF-16 units fit every backend, whatever their bytes. */
  private readonly safeKeyChars: number;
  private readonly largestValueBytes: number;
  /** Values of up to this many bytes (or string chars) fit every backend. */
  private readonly safeValueBytes: number;
  private observer: OperationObserver | undefined;
  private allFailedLogged = false;
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
    this.swallowWrites = options.onAllFailed === 'swallow';

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
    this.events.on('recovered', ({ backend }) => this.dropShadowedFallbackData(backend));
    const caps = this.members.map((m) => m.backend.capabilities);
    this.safeKeyChars = Math.floor(Math.min(...caps.map((c) => c.maxKeyBytes)) / 3);
    this.largestValueBytes = Math.max(...caps.map((c) => c.maxValueBytes));
    this.safeValueBytes = Math.min(...caps.map((c) => c.maxValueBytes));
  }

  // ---------------------------------------------------------------- reads

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const full = this.key(key);
    const fits = this.keyFits(full);
    const bytes = this.readResult(
      'get',
      await this.execute('get', (b) => b.get(full), fits, undefined),
    );
    return bytes === undefined ? undefined : (this.decode(bytes) as T | undefined);
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async getMany<T = unknown>(keys: readonly string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const full = keys.map((k) => this.key(k));
    const fits = this.keysFit(full);
    const answers = this.readResult(
      'getMany',
      await this.execute('getMany', (b) => b.getMany(full), fits, undefined),
    );
    if (answers === undefined) return full.map(() => undefined);
    return answers.map((bytes) =>
      bytes === undefined ? undefined : (this.decode(bytes) as T | undefined),
    );
  }

  // ---------------------------------------------------------------- writes

  async set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    const full = this.key(key);
    const ttlMs = this.ttl(options?.ttl);
    const stored = this.encode(value);
    const fits = this.and(this.keyFits(full), this.valueFits(stored));
    this.writeResult(
      'set',
      await this.execute('set', (b) => b.set(full, stored, ttlMs), fits, [full]),
    );
  }

  async setMany<T>(entries: ReadonlyArray<SetManyEntry<T>>): Promise<void> {
    if (entries.length === 0) return;
    const prepared = entries.map((e) => {
      const key = this.key(e.key);
      return { key, value: this.encode(e.value), ttlMs: this.ttl(e.ttl) };
    });
    const keys = prepared.map((e) => e.key);
    const largest = Math.max(...prepared.map((e) => storedByteLength(e.value)));
    const fits = this.and(this.keysFit(keys), this.valueBytesFit(largest));
    this.writeResult(
      'setMany',
      await this.execute('setMany', (b) => b.setMany(prepared), fits, keys),
    );
  }

  async delete(key: string): Promise<boolean> {
    const full = this.key(key);
    const fits = this.keyFits(full);
    return (
      this.writeResult(
        'delete',
        await this.execute('delete', (b) => b.delete(full), fits, [full]),
      ) ?? false
    );
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const full = keys.map((k) => this.key(k));
    return (
      this.writeResult(
        'deleteMany',
        await this.execute('deleteMany', (b) => b.deleteMany(full), this.keysFit(full), full),
      ) ?? 0
    );
  }

  /**
   * Remove every key of this store's namespace (every key, without a namespace)
   * from every backend that is reachable, so no fallback keeps stale entries.
   */
  async clear(): Promise<void> {
    this.assertOpen();
    const prefix = this.namespace === undefined ? '' : `${this.namespace}:`;
    const usable = this.members.filter((m) => m.usable);
    const results = await Promise.allSettled(
      usable.map((m) =>
        m.call((b) => b.clear(prefix), Math.min(m.timeoutMs * 4, this.operationTimeoutMs)),
      ),
    );
    const causes: Cause[] = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        causes.push({ backend: usable[i]!.name, error: toError(r.reason) });
    });
    if (causes.length === usable.length)
      this.allFailed('clear', causes.length ? causes : this.unavailableCauses());
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
    this.observer = observer;
  }

  /** Close every backend. Idempotent; leaves no timer or socket behind. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.chain.close();
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

  // ---------------------------------------------------------------- failover

  /** The answer of a read; a miss when every backend failed. */
  private readResult<T>(operation: OperationName, result: T | Failed): T | undefined {
    if (!(result instanceof Failed)) return result;
    this.noteAllFailed(operation, result.causes);
    return undefined;
  }

  /** The answer of a write; when every backend failed, reject or (configured so) resolve. */
  private writeResult<T>(operation: OperationName, result: T | Failed): T | undefined {
    if (!(result instanceof Failed)) return result;
    this.allFailed(operation, result.causes);
    return undefined;
  }

  /**
   * Try each usable backend in order within one overall deadline. Resolves with
   * the first answer, or `Failed` with each backend's cause.
   *
   * Written as a continuation chain rather than an async loop: the common case
   * (the first backend answers) then costs one promise and no extra ticks.
   */
  private execute<T>(
    operation: OperationName,
    run: (backend: Backend) => Promise<T>,
    fits: Fits,
    writtenKeys: readonly string[] | undefined,
  ): Promise<T | Failed> {
    this.assertOpen();
    const attempt: Attempt<T> = {
      operation,
      run,
      fits,
      writtenKeys,
      deadline: Date.now() + this.operationTimeoutMs,
      causes: undefined,
      skipped: false,
    };
    const observer = this.observer;
    if (observer === undefined) return this.attemptFrom(0, attempt);
    const started = performance.now();
    return this.attemptFrom(0, attempt).then((result) => {
      observer({
        operation,
        backend: result instanceof Failed ? null : (attempt.servedBy ?? null),
        durationMs: performance.now() - started,
        outcome: result instanceof Failed ? 'error' : outcomeOf(operation, result),
      });
      return result;
    });
  }

  private attemptFrom<T>(index: number, attempt: Attempt<T>): Promise<T | Failed> {
    const members = this.members;
    for (let i = index; i < members.length; i++) {
      const member = members[i]!;
      if (!member.usable) {
        attempt.skipped = true;
        continue;
      }
      if (!attempt.fits(member)) continue;
      const budget = Math.min(member.timeoutMs, attempt.deadline - Date.now());
      if (budget <= 0) break;
      if (attempt.skipped && attempt.writtenKeys)
        this.noteSkippedWrite(member, attempt.writtenKeys);
      attempt.servedBy = member.name;
      const answer = member.call(attempt.run, budget, (error) => {
        if (isCallerError(error)) throw error;
        attempt.causes ??= [];
        attempt.causes.push({ backend: member.name, error });
        this.events.emit('error', { backend: member.name, operation: attempt.operation, error });
        attempt.skipped = true;
        return this.attemptFrom(i + 1, attempt);
      });
      // Only after an all-failed period: one line when service resumes.
      if (!this.allFailedLogged) return answer;
      return answer.then((result) => {
        if (!(result instanceof Failed)) this.noteServingAgain(member);
        return result;
      });
    }
    return Promise.resolve(new Failed(attempt.causes ?? this.unavailableCauses()));
  }

  /** Writes and clear: reject with every cause, or log and resolve when configured to swallow. */
  private allFailed(operation: OperationName, causes: Cause[]): void {
    this.noteAllFailed(operation, causes);
    if (!this.swallowWrites) throw new AllBackendsFailedError(operation, causes);
  }

  /** One log line when the store goes from serving to serving nothing, not one per call. */
  private noteAllFailed(operation: OperationName, causes: Cause[]): void {
    if (this.allFailedLogged) return;
    this.allFailedLogged = true;
    this.logger.error(
      {
        event: 'all-backends-failed',
        operation,
        causes: causes.map((c) => `${c.backend}: ${c.error.message}`),
      },
      'every backend failed; reads answer a miss' +
        (this.swallowWrites ? ' and writes are dropped' : ' and writes reject'),
    );
  }

  private noteServingAgain(member: Member): void {
    this.allFailedLogged = false;
    this.logger.info(
      { event: 'serving', backend: member.name },
      `serving again from "${member.name}"`,
    );
  }

  private unavailableCauses(): Cause[] {
    return this.members.map((m) => ({
      backend: m.name,
      error: new BackendUnavailableError(
        m.name,
        m.usable
          ? 'no time left in the operation budget'
          : `breaker ${m.breaker.state}${m.connected ? '' : ', disconnected'}`,
      ),
    }));
  }

  // ---------------------------------------------------------------- recovery seam

  /**
   * A write was served by `member` while backends before it were skipped. Those
   * backends miss this write; the recovery journal hooks in here. Today the
   * store only remembers that `member` holds data that a recovering backend
   * will shadow.
   */
  private noteSkippedWrite(member: Member, _keys: readonly string[]): void {
    member.holdsOutageWrites = true;
  }

  /**
   * When a backend recovers, fallbacks after it that took writes during its
   * outage hold entries that it now shadows; were it to fail again they would
   * answer with values older than the ones it served in between. A private
   * (in-process) fallback is emptied of this store's keys.
   */
  private dropShadowedFallbackData(recovered: string): void {
    const index = this.members.findIndex((m) => m.name === recovered);
    for (const member of this.members.slice(index + 1)) {
      if (!member.holdsOutageWrites || member.backend.capabilities.shared) continue;
      member.holdsOutageWrites = false;
      const prefix = this.namespace === undefined ? '' : `${this.namespace}:`;
      member.backend.clear(prefix).catch((error: unknown) => {
        this.events.emit('error', {
          backend: member.name,
          operation: 'clear',
          error: toError(error),
        });
      });
    }
  }

  // ---------------------------------------------------------------- input

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

  private encode(value: unknown): StoredValue {
    return encodeValue(value, this.serializer, Date.now());
  }

  private decode(stored: StoredValue): unknown {
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

  /** Backends whose key limit admits `key`; an InvalidKeyError when none does. */
  private keyFits(key: string): Fits {
    if (key.length <= this.safeKeyChars) return FITS_ALL;
    const bytes = keyBytes(key);
    if (!this.members.some((m) => bytes <= m.backend.capabilities.maxKeyBytes)) {
      throw new InvalidKeyError(`key of ${bytes} bytes is longer than any backend accepts`);
    }
    return (m) => bytes <= m.backend.capabilities.maxKeyBytes;
  }

  private keysFit(keys: readonly string[]): Fits {
    let longest = '';
    for (const k of keys) if (k.length > longest.length) longest = k;
    return this.keyFits(longest);
  }

  /** Backends whose value limit admits `stored`; a ValueTooLargeError when none does. */
  private valueFits(stored: StoredValue): Fits {
    const quick = typeof stored === 'string' ? stored.length * 3 : stored.byteLength;
    if (quick <= this.safeValueBytes) return FITS_ALL;
    return this.valueBytesFit(storedByteLength(stored));
  }

  private valueBytesFit(bytes: number): Fits {
    if (bytes > this.largestValueBytes) {
      throw new ValueTooLargeError(
        `value of ${bytes} bytes exceeds the largest any backend accepts (${this.largestValueBytes})`,
      );
    }
    if (bytes <= this.safeValueBytes) return FITS_ALL;
    return (m) => bytes <= m.backend.capabilities.maxValueBytes;
  }

  private and(a: Fits, b: Fits): Fits {
    return a === FITS_ALL ? b : (m) => a(m) && b(m);
  }
}

/** One operation on its way down the chain. */
interface Attempt<T> {
  readonly operation: OperationName;
  readonly run: (backend: Backend) => Promise<T>;
  readonly fits: Fits;
  /** Keys a write touches; undefined for reads. */
  readonly writtenKeys: readonly string[] | undefined;
  /** Absolute time (ms) by which the operation must settle. */
  readonly deadline: number;
  causes: Cause[] | undefined;
  /** A backend before the current one was passed over. */
  skipped: boolean;
  servedBy?: string;
}

/** The result of an operation that no backend could serve. */
class Failed {
  constructor(readonly causes: Cause[]) {}
}

function outcomeOf(operation: OperationName, value: unknown): 'hit' | 'miss' | 'ok' {
  if (operation !== 'get') return 'ok';
  return value === undefined ? 'miss' : 'hit';
}

function toSlot(entry: Backend | BackendSlot): BackendSlot {
  return 'backend' in entry && typeof (entry as BackendSlot).backend === 'object'
    ? (entry as BackendSlot)
    : { backend: entry as Backend };
}

function positive(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function breakerOptions(
  base: Required<BreakerOptions>,
  overrides: BreakerOptions | undefined,
  field: string,
): Required<BreakerOptions> {
  const merged = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) {
    positive(value as number, `${field}.${name}`);
  }
  if (merged.errorThresholdPercentage > 100) {
    throw new ConfigError(`${field}.errorThresholdPercentage`, 'must be at most 100');
  }
  return merged;
}
