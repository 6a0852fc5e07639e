import type {
  Backend,
  BackendCapabilities,
  BackendEntry,
  CallControl,
  ConditionalEntry,
  ConditionalWrites,
  StoredValue,
} from '@resilient-store/core/backend';
import { BackendUnavailableError, checkTtlMs } from '@resilient-store/core/backend';
import type { Pool, QueryConfig, QueryResult } from 'pg';
import { Availability } from './availability.js';
import { conditionalParams, markWritten, planConditionalWrites } from './conditional-writes.js';
import { openPool } from './connection.js';
import { ExpiryCleanup } from './expiry-cleanup.js';
import { classifyFailure, describeFailure } from './failures.js';
import { keyParam, prefixParam, prefixUpperBound, valueParam } from './input.js';
import {
  POSTGRES_MAX_KEY_BYTES,
  type PostgresBackendOptions,
  type PostgresConnection,
} from './options.js';
import { QueryRunner } from './query-runner.js';
import { ensureTable } from './schema.js';
import { type PostgresSettings, resolveSettings } from './settings.js';
import { buildStatements, regclassName, type Statements } from './statements.js';

/** A PostgreSQL `Backend`, with its pool exposed for diagnostics. */
export interface PostgresBackend extends Backend {
  readonly availability: Availability;
  /** Conditional writes for recovery replay: one upsert per batch, over older stamps only. */
  readonly conditional: ConditionalWrites;
  /** The pg pool. Queries sent on it bypass the backend's checks. */
  readonly pool: Pool;
  /** Runs one expiry cleanup now (as the background timer does); resolves with the rows removed. */
  cleanupExpired(): Promise<number>;
}

/** Rows removed per statement by `clear`: each statement stays well inside the statement timeout. */
const CLEAR_BATCH_ROWS = 5_000;

type State = 'starting' | 'up' | 'down' | 'closed';

/**
 * Creates a PostgreSQL backend over a table of `bytea` keys and values. Never throws
 * for an unreachable server: the backend reports itself unavailable, rejects operations
 * at once, and probes until PostgreSQL answers (creating the table if it is missing
 * and `createTable` allows). Throws `ConfigError` for invalid options.
 */
export function postgresBackend(
  connection: PostgresConnection,
  options: PostgresBackendOptions = {},
): PostgresBackend {
  const settings = resolveSettings(options);
  const { pool, owned } = openPool(connection, settings);
  return new PostgresBackendImpl(pool, owned, settings);
}

class PostgresBackendImpl implements PostgresBackend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly availability = new Availability();
  readonly conditional: ConditionalWrites = {
    setIfOlder: (entries) => this.#setIfOlder(entries),
  };
  readonly pool: Pool;
  readonly #owned: boolean;
  readonly #settings: PostgresSettings;
  readonly #sql: Statements;
  readonly #cleanup: ExpiryCleanup;
  readonly #runner: QueryRunner;
  #state: State = 'starting';
  /** The setup in progress (first start, or a probe); never rejects. */
  #setup: Promise<void> | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  /** A check triggered by an idle connection's error is running. */
  #checking = false;
  #closing: Promise<void> | undefined;

  constructor(pool: Pool, owned: boolean, settings: PostgresSettings) {
    this.name = settings.name;
    this.pool = pool;
    this.#owned = owned;
    this.#settings = settings;
    this.#sql = buildStatements(settings.schema, settings.table);
    this.#runner = new QueryRunner({
      pool,
      backend: settings.name,
      timeoutMs: settings.queryTimeoutMs,
      failure: this.#failure,
    });
    this.capabilities = Object.freeze({
      shared: true,
      // An UNLOGGED table is emptied when PostgreSQL recovers from a crash.
      persistent: !settings.unlogged,
      maxKeyBytes: POSTGRES_MAX_KEY_BYTES,
      maxValueBytes: settings.maxValueBytes,
    });
    this.#cleanup = new ExpiryCleanup({
      intervalMs: settings.cleanupIntervalMs,
      batchSize: settings.cleanupBatchSize,
      runBatch: () => this.#cleanupBatch(),
    });
    // An error on an idle pooled connection (server restarted, network cut) would crash
    // the process as an unhandled 'error' event; here it only triggers a health check.
    pool.on('error', this.#onIdleError);
    this.#runSetup();
  }

  get(key: string, control?: CallControl): Promise<Buffer | undefined> {
    let config: QueryConfig;
    try {
      config = { name: this.#sql.names.get, text: this.#sql.get, values: [keyParam(key)] };
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#query(config, firstValue, control);
  }

  async getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    const params = keys.map(keyParam);
    if (params.length === 0) return [];
    const rows = await this.#query<Array<{ i: number; value: Buffer }>>(
      { text: this.#sql.getMany, values: [params] },
      allRows,
    );
    const values = new Array<Buffer | undefined>(keys.length).fill(undefined);
    for (const row of rows) values[row.i - 1] = row.value;
    return values;
  }

  set(
    key: string,
    value: StoredValue,
    ttlMs: number | undefined,
    control?: CallControl,
  ): Promise<unknown> {
    let config: QueryConfig;
    try {
      const keyBytes = keyParam(key);
      checkTtlMs(ttlMs);
      config = {
        name: this.#sql.names.set,
        text: this.#sql.set,
        values: [
          keyBytes,
          valueParam(value, this.name, this.#settings.maxValueBytes),
          ttlMs ?? null,
        ],
      };
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#query(config, wholeResult, control);
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    // One upsert cannot touch a row twice: the last entry of a duplicated key wins.
    const byKey = new Map<string, { key: Buffer; value: Buffer; ttl: number | null }>();
    for (const { key, value, ttlMs } of entries) {
      const keyBytes = keyParam(key);
      checkTtlMs(ttlMs);
      const bytes = valueParam(value, this.name, this.#settings.maxValueBytes);
      byKey.delete(key);
      byKey.set(key, { key: keyBytes, value: bytes, ttl: ttlMs ?? null });
    }
    if (byKey.size === 0) return;
    const rows = [...byKey.values()];
    await this.#query(
      {
        text: this.#sql.setMany,
        values: [rows.map((r) => r.key), rows.map((r) => r.value), rows.map((r) => r.ttl)],
      },
      wholeResult,
    );
  }

  async #setIfOlder(entries: readonly ConditionalEntry[]): Promise<boolean[]> {
    const { statements, answers } = planConditionalWrites(entries, this.name, this.capabilities);
    // In order: a later statement holds a repeated key's later entries.
    for (const rows of statements) {
      const written = await this.#query<Array<{ key: Buffer }>>(
        { text: this.#sql.setIfOlder, values: conditionalParams(rows) },
        allRows,
      );
      markWritten(rows, written, answers);
    }
    return answers;
  }

  async delete(key: string): Promise<boolean> {
    const rows = await this.#query<Array<{ live: boolean }>>(
      { name: this.#sql.names.delete, text: this.#sql.delete, values: [keyParam(key)] },
      allRows,
    );
    return rows[0]?.live === true;
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const params = keys.map(keyParam);
    if (params.length === 0) return 0;
    const rows = await this.#query<Array<{ live: boolean }>>(
      { text: this.#sql.deleteMany, values: [params] },
      allRows,
    );
    // An expired row that was still there is removed but was no longer an entry.
    return rows.filter((row) => row.live).length;
  }

  async clear(prefix: string): Promise<void> {
    const lower = prefixParam(prefix);
    const upper = prefixUpperBound(lower);
    // Batches, so no statement runs into the statement timeout on a large prefix.
    for (;;) {
      const removed = await this.#query(
        { text: this.#sql.clearBatch, values: [lower, upper, CLEAR_BATCH_ROWS] },
        rowCount,
      );
      if (removed < CLEAR_BATCH_ROWS) return;
    }
  }

  async ping(): Promise<void> {
    if (this.#state === 'closed') throw this.#unavailable();
    if (this.#state !== 'up') {
      // Do not wait for the probe timer: the store pings when it wants to know now.
      await this.#probeNow();
      if (!this.availability.isAvailable()) throw this.#unavailable();
      return;
    }
    await this.#query({ text: 'SELECT 1' }, wholeResult);
  }

  cleanupExpired(): Promise<number> {
    return this.#cleanup.runOnce();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#state = 'closed';
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    this.availability.close(new BackendUnavailableError(this.name, 'closed'));
    await this.#cleanup.stop();
    await this.#setup;
    if (this.#owned) {
      // Keep the error listener: ending connections may still report errors.
      await this.pool.end();
    } else {
      this.pool.off('error', this.#onIdleError);
    }
    this.#runner.stop();
  }

  /**
   * Sends a query once the backend may: at once while up; after the first setup while
   * starting; never while down or closed (rejects at once, without waiting for a
   * timeout). Resolves with `pick(result)`. A failure that says PostgreSQL or the table
   * is gone turns the backend unavailable (`#failure`).
   */
  #query<T>(
    config: QueryConfig,
    pick: (result: QueryResult) => T,
    control?: CallControl,
  ): Promise<T> {
    if (this.#state === 'up') return this.#runner.run(config, pick, control);
    if (this.#state === 'starting' && this.#setup !== undefined) {
      // No abort to offer while connecting: the store bounds the wait itself.
      return this.#setup.then(() => {
        if (this.#state !== 'up') throw this.#unavailable();
        return this.#runner.run(config, pick);
      });
    }
    return Promise.reject(this.#unavailable());
  }

  /** The caller's error for one pg reported; turns the backend down when it says so. */
  readonly #failure = (error: unknown): Error => {
    if (error instanceof BackendUnavailableError) return error;
    const kind = classifyFailure(error);
    if (kind === 'unreachable') this.#markDown(describeFailure(error, this.name, 0));
    if (kind === 'missing-table') {
      const table = regclassName(this.#settings.schema, this.#settings.table);
      this.#markDown(
        new Error(`table ${table} is missing: ${describeFailure(error, this.name, 0).message}`),
      );
    }
    return describeFailure(error, this.name, this.#settings.queryTimeoutMs);
  };

  readonly #onIdleError = (): void => {
    if (this.#state !== 'up' || this.#checking) return;
    // One idle connection dropped: maybe the server is gone, maybe only that session
    // (an idle timeout). Ask once; an unreachable server turns the backend down.
    this.#checking = true;
    this.#query({ text: 'SELECT 1' }, wholeResult)
      .catch(() => {})
      .finally(() => {
        this.#checking = false;
      });
  };

  #unavailable(): BackendUnavailableError {
    if (this.#state === 'closed') return new BackendUnavailableError(this.name, 'closed');
    const cause = this.availability.cause();
    return new BackendUnavailableError(
      this.name,
      cause ? `not connected (${cause.message})` : 'not connected',
    );
  }

  #markDown(cause: Error): void {
    if (this.#state === 'closed' || this.#state === 'down') return;
    this.#state = 'down';
    this.availability.down(cause);
    this.#scheduleProbe();
  }

  /** Connects, makes sure the table is there, and turns the backend up; else down with a probe scheduled. */
  #runSetup(): Promise<void> {
    this.#setup ??= ensureTable(this.pool, this.#sql, this.#settings).then(
      () => {
        this.#setup = undefined;
        if (this.#state === 'closed') return;
        this.#state = 'up';
        this.availability.up();
        this.#cleanup.start();
      },
      (error: unknown) => {
        this.#setup = undefined;
        if (this.#state === 'closed') return;
        this.#state = 'down';
        this.availability.down(describeFailure(error, this.name, this.#settings.queryTimeoutMs));
        this.#scheduleProbe();
      },
    );
    return this.#setup;
  }

  #probeNow(): Promise<void> {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    return this.#runSetup();
  }

  #scheduleProbe(): void {
    if (this.#state === 'closed' || this.#probeTimer !== undefined) return;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      if (this.#state === 'down') void this.#runSetup();
    }, this.#settings.probeIntervalMs);
    this.#probeTimer.unref();
  }

  async #cleanupBatch(): Promise<number> {
    return this.#query(
      { text: this.#sql.cleanupBatch, values: [this.#settings.cleanupBatchSize] },
      rowCount,
    );
  }
}

// What a query resolves with, picked without a further promise.

function firstValue(result: QueryResult): Buffer | undefined {
  return result.rows.length === 0 ? undefined : (result.rows[0] as { value: Buffer }).value;
}

function allRows<R>(result: QueryResult): R {
  return result.rows as R;
}

function wholeResult(result: QueryResult): QueryResult {
  return result;
}

function rowCount(result: QueryResult): number {
  return result.rowCount ?? 0;
}
