import {
  BackendTimeoutError,
  type CallControl,
  encodeTombstone,
  encodeValue,
  InvalidKeyError,
  InvalidTtlError,
  jsonSerializer,
  keyBytes,
  stampAtWall,
  storedByteLength,
  ValueTooLargeError,
} from '@resilient-store/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MAX_KEY_BYTES, type PostgresBackend, postgresBackend } from '../src/index.js';
import {
  dropTable,
  pollUntil,
  SHARED_POSTGRES_URL,
  uniqueTable,
  untilAvailable,
  untilUnavailable,
  withClient,
} from './helpers.js';

const tables: string[] = [];
function table(label: string): string {
  const name = uniqueTable(label);
  tables.push(name);
  return name;
}

let backend: PostgresBackend;
let mainTable: string;

beforeAll(async () => {
  mainTable = table('main');
  backend = postgresBackend(
    { connectionString: SHARED_POSTGRES_URL },
    { table: mainTable, maxValueBytes: 64 * 1024 },
  );
  await untilAvailable(backend.availability);
});

afterAll(async () => {
  await backend?.close();
  for (const name of tables) await dropTable(SHARED_POSTGRES_URL, name);
});

const countRows = (name: string) =>
  withClient(SHARED_POSTGRES_URL, async (client) => {
    const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
    return result.rows[0]?.n ?? -1;
  });

describe('bad input', () => {
  it('stores a key of exactly maxKeyBytes and refuses one byte more, keeping what was stored', async () => {
    const atLimit = 'k'.repeat(POSTGRES_MAX_KEY_BYTES);
    await backend.set(atLimit, 'at', undefined);
    expect(String(await backend.get(atLimit))).toBe('at');
    const over = `${atLimit}k`;
    expect(keyBytes(over)).toBe(POSTGRES_MAX_KEY_BYTES + 1);
    await expect(backend.set(over, 'over', undefined)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(backend.get(over)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(backend.getMany(['ok', over])).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(
      backend.setMany([
        { key: 'setmany-ok', value: 'v', ttlMs: undefined },
        { key: over, value: 'v', ttlMs: undefined },
      ]),
    ).rejects.toBeInstanceOf(InvalidKeyError);
    // A refused batch writes nothing, not even its valid entries.
    expect(await backend.get('setmany-ok')).toBeUndefined();
    // A multi-byte key is measured in UTF-8 bytes, not characters.
    const multiByteOver = 'é'.repeat(POSTGRES_MAX_KEY_BYTES / 2 + 1);
    await expect(backend.set(multiByteOver, 'v', undefined)).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    expect(await backend.delete(atLimit)).toBe(true);
  });

  it('refuses a value over maxValueBytes and keeps the value stored before', async () => {
    const key = 'oversize';
    await backend.set(key, 'small', undefined);
    const limit = backend.capabilities.maxValueBytes;
    await backend.set('exactly-limit', new Uint8Array(limit), undefined);
    const stored = await backend.get('exactly-limit');
    expect(stored == null ? -1 : storedByteLength(stored)).toBe(limit);
    await expect(backend.set(key, new Uint8Array(limit + 1), undefined)).rejects.toBeInstanceOf(
      ValueTooLargeError,
    );
    // A string is measured in UTF-8 bytes: 'é' is two.
    await expect(backend.set(key, 'é'.repeat(limit / 2 + 1), undefined)).rejects.toBeInstanceOf(
      ValueTooLargeError,
    );
    expect(String(await backend.get(key))).toBe('small');
    await backend.deleteMany([key, 'exactly-limit']);
  });

  it('refuses keys without a UTF-8 form, empty keys and bad TTLs', async () => {
    for (const key of ['', 'lone\ud800surrogate', 'lone\udc00low', 42 as unknown as string]) {
      await expect(backend.set(key, 'v', undefined), JSON.stringify(key)).rejects.toBeInstanceOf(
        InvalidKeyError,
      );
    }
    for (const ttl of [0, -1, 1.5, Number.NaN, '10' as unknown as number]) {
      await expect(backend.set('ttl', 'v', ttl), String(ttl)).rejects.toBeInstanceOf(
        InvalidTtlError,
      );
    }
    await expect(backend.clear(7 as unknown as string)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('keeps NUL keys apart from their neighbours and clears by a prefix holding NUL', async () => {
    const keys = ['nul:a\u0000b', 'nul:a', 'nul:a\u0000', 'nul:a\u0001b', 'nul:\u0000'];
    for (const key of keys) await backend.set(key, key, undefined);
    for (const key of keys) expect(String(await backend.get(key))).toBe(key);
    await backend.clear('nul:a\u0000');
    expect(await backend.getMany(keys)).toEqual([
      undefined,
      expect.anything(),
      undefined,
      expect.anything(),
      expect.anything(),
    ]);
    await backend.clear('nul:');
    expect(await backend.getMany(keys)).toEqual(keys.map(() => undefined));
  });
});

describe('schema', () => {
  it('comes up when many instances create the same table at once', async () => {
    const name = table('race');
    const racers = Array.from({ length: 8 }, () =>
      postgresBackend(
        { connectionString: SHARED_POSTGRES_URL },
        { table: name, schema: 'public', poolSize: 1 },
      ),
    );
    try {
      await Promise.all(racers.map((racer) => untilAvailable(racer.availability)));
      await Promise.all(racers.map((racer, i) => racer.set(`racer:${i}`, String(i), undefined)));
      expect(await countRows(name)).toBe(racers.length);
    } finally {
      await Promise.all(racers.map((racer) => racer.close()));
    }
  });

  it('with createTable: false, waits unavailable for the table and serves once it exists', async () => {
    const name = table('no_create');
    const waiting = postgresBackend(
      { connectionString: SHARED_POSTGRES_URL },
      { table: name, createTable: false, probeIntervalMs: 50 },
    );
    try {
      await untilUnavailable(waiting.availability);
      await expect(waiting.get('k')).rejects.toThrow(/does not exist and createTable is false/);
      const creator = postgresBackend({ connectionString: SHARED_POSTGRES_URL }, { table: name });
      await untilAvailable(creator.availability);
      await creator.close();
      await untilAvailable(waiting.availability);
      await waiting.set('k', 'v', undefined);
      expect(String(await waiting.get('k'))).toBe('v');
    } finally {
      await waiting.close();
    }
  });

  it('prepares the hot statements once per connection', async () => {
    const single = postgresBackend(
      { connectionString: SHARED_POSTGRES_URL },
      { table: mainTable, poolSize: 1 },
    );
    try {
      await untilAvailable(single.availability);
      for (let i = 0; i < 3; i++) {
        await single.set('prepared', 'v', undefined);
        await single.get('prepared');
        await single.delete('prepared');
      }
      const prepared = await single.pool.query<{ name: string }>(
        'SELECT name FROM pg_prepared_statements ORDER BY name',
      );
      const names = prepared.rows.map((row) => row.name.replace(/_[0-9a-f]{12}$/, ''));
      expect(names).toEqual(['rs_delete', 'rs_get', 'rs_set']);
    } finally {
      await single.close();
    }
  });
});

describe('conditional writes', () => {
  const BASE = stampAtWall(1_732_000_000_000);
  const offer = (key: string, stamp: number, ttlMs?: number) => ({
    key,
    value: encodeValue(`v${stamp}`, jsonSerializer, stamp),
    ttlMs,
    stamp,
  });
  const stampColumn = (key: string) =>
    withClient(SHARED_POSTGRES_URL, async (client) => {
      const result = await client.query<{ stamp: string | null }>(
        `SELECT stamp::text FROM "${mainTable}" WHERE key = $1`,
        [Buffer.from(key)],
      );
      return result.rows[0]?.stamp;
    });

  it('keeps the stamp in its column, and a plain write clears it so the header counts again', async () => {
    const key = 'cond:column';
    expect(await backend.conditional.setIfOlder([offer(key, BASE + 5)])).toEqual([true]);
    expect(await stampColumn(key)).toBe(String(BASE + 5));
    await backend.set(key, encodeValue('plain', jsonSerializer, BASE + 2), undefined);
    expect(await stampColumn(key)).toBeNull();
    // The plain write's header (BASE + 2) is what a replay compares against now.
    expect(await backend.conditional.setIfOlder([offer(key, BASE + 3)])).toEqual([true]);
    expect(await backend.conditional.setIfOlder([offer(key, BASE + 3)])).toEqual([false]);
    await backend.delete(key);
  });

  it('writes tombstones in the same statement as values', async () => {
    const gone = 'cond:tomb:gone';
    const kept = 'cond:tomb:kept';
    await backend.set(gone, encodeValue('held', jsonSerializer, BASE), undefined);
    const written = await backend.conditional.setIfOlder([
      { key: gone, value: encodeTombstone(BASE + 1), ttlMs: 60_000, stamp: BASE + 1 },
      offer(kept, BASE + 1),
    ]);
    expect(written).toEqual([true, true]);
    expect(Buffer.from((await backend.get(gone)) as Buffer)).toEqual(
      Buffer.from(encodeTombstone(BASE + 1)),
    );
    await backend.deleteMany([gone, kept]);
  });

  it('runs concurrent batches over the same keys in opposite orders without a deadlock', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `cond:order:${String(i).padStart(3, '0')}`);
    const batches = Array.from({ length: 8 }, (_, b) => {
      const entries = keys.map((key) => offer(key, BASE + b));
      return b % 2 === 0 ? entries : entries.reverse();
    });
    const answers = await Promise.all(batches.map((b) => backend.conditional.setIfOlder(b)));
    expect(answers.every((a) => a.length === keys.length)).toBe(true);
    for (const value of await backend.getMany(keys)) {
      expect(String(value)).toBe(String(encodeValue(`v${BASE + 7}`, jsonSerializer, BASE + 7)));
    }
    await backend.deleteMany(keys);
  });
});

describe('expiry cleanup', () => {
  it('removes expired rows in bounded batches and leaves live ones', async () => {
    const name = table('cleanup');
    const cleaner = postgresBackend(
      { connectionString: SHARED_POSTGRES_URL },
      { table: name, cleanupBatchSize: 10 },
    );
    try {
      await untilAvailable(cleaner.availability);
      const short = Array.from({ length: 25 }, (_, i) => ({
        key: `short:${i}`,
        value: 'x',
        ttlMs: 1,
      }));
      const live = Array.from({ length: 5 }, (_, i) => ({
        key: `live:${i}`,
        value: 'x',
        ttlMs: i % 2 === 0 ? undefined : 600_000,
      }));
      await cleaner.setMany([...short, ...live]);
      expect(
        await pollUntil(
          async () =>
            (await cleaner.getMany(short.map((e) => e.key))).every((v) => v === undefined),
          5_000,
        ),
      ).toBe(true);
      expect(await countRows(name)).toBe(30);
      // 25 rows in batches of 10: one run takes three statements, the last one short.
      expect(await cleaner.cleanupExpired()).toBe(25);
      expect(await countRows(name)).toBe(5);
      expect(await cleaner.cleanupExpired()).toBe(0);
    } finally {
      await cleaner.close();
    }
  });

  it('runs on its own timer', async () => {
    const name = table('cleanup_timer');
    const cleaner = postgresBackend(
      { connectionString: SHARED_POSTGRES_URL },
      { table: name, cleanupIntervalMs: 50 },
    );
    try {
      await untilAvailable(cleaner.availability);
      await cleaner.set('expiring', 'x', 1);
      await cleaner.set('kept', 'x', undefined);
      expect(await pollUntil(async () => (await countRows(name)) === 1, 10_000)).toBe(true);
      expect(String(await cleaner.get('kept'))).toBe('x');
    } finally {
      await cleaner.close();
    }
  });
});

describe('query deadlines', () => {
  it('abandons a query past queryTimeoutMs, drops its connection, and keeps serving', async () => {
    const name = table('deadline');
    const slow = postgresBackend(
      { connectionString: SHARED_POSTGRES_URL },
      // The server would wait far longer: the client deadline is what fires.
      { table: name, queryTimeoutMs: 200, statementTimeoutMs: 20_000, poolSize: 2 },
    );
    const holder = new pg.Client({ connectionString: SHARED_POSTGRES_URL });
    try {
      await untilAvailable(slow.availability);
      await slow.set('locked', 'held', undefined);
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${name}" WHERE key = $1 FOR UPDATE`, [
        Buffer.from('locked'),
      ]);
      const clients = slow.pool.totalCount;
      await expect(slow.set('locked', 'blocked', undefined)).rejects.toBeInstanceOf(
        BackendTimeoutError,
      );
      // Released as broken, as pg's own query timeout does: not handed to the next caller.
      expect(slow.pool.totalCount).toBe(clients - 1);
      expect(String(await slow.get('locked'))).toBe('held');
      await slow.set('free', 'yes', undefined);
      expect(String(await slow.get('free'))).toBe('yes');
      expect(slow.availability.isAvailable()).toBe(true);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
      await slow.close();
    }
  });

  it("settles at once when the store gives up through the call's abort", async () => {
    const name = table('abort');
    const held = postgresBackend(
      { connectionString: SHARED_POSTGRES_URL },
      { table: name, statementTimeoutMs: 20_000, queryTimeoutMs: 20_000 },
    );
    const holder = new pg.Client({ connectionString: SHARED_POSTGRES_URL });
    try {
      await untilAvailable(held.availability);
      await held.set('locked', 'held', undefined);
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${name}" WHERE key = $1 FOR UPDATE`, [
        Buffer.from('locked'),
      ]);
      const control: CallControl = { abort: undefined };
      const blocked = held.set('locked', 'blocked', undefined, control);
      expect(control.abort).toBeTypeOf('function');
      const reason = new BackendTimeoutError('postgres', 1);
      control.abort?.(reason);
      await expect(blocked).rejects.toBe(reason);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
      // close() waits for the abandoned write, which runs on once the lock is gone.
      await held.close();
    }
  });
});

describe('pools', () => {
  it("never ends a caller's pool, and stops using it after close()", async () => {
    const pool = new pg.Pool({ connectionString: SHARED_POSTGRES_URL, max: 2 });
    try {
      const adopted = postgresBackend({ pool }, { table: mainTable });
      await untilAvailable(adopted.availability);
      await adopted.set('adopted', 'v', undefined);
      await adopted.close();
      await expect(adopted.get('adopted')).rejects.toThrow(/closed/);
      expect(pool.listenerCount('error')).toBe(0);
      const after = await pool.query('SELECT 1 AS one');
      expect(after.rows[0]).toEqual({ one: 1 });
    } finally {
      await pool.end();
    }
  });
});
