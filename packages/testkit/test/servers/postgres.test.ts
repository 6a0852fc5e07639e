import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PgError, pgSimpleQuery, startPostgres } from '../../src/servers/index.js';

describe('startPostgres (local binaries)', () => {
  it('runs a trust-auth server whose data survives restart() and kill()', async () => {
    const pg = await startPostgres({ database: 'cache_test' });
    expect(pg.source).toBe('local');
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/cache_test`);
    const conn = { user: pg.user, database: pg.database };
    await pgSimpleQuery(
      pg.host,
      pg.port,
      conn,
      `CREATE TABLE entries (k text PRIMARY KEY, v text); INSERT INTO entries VALUES ('a', 'one')`,
    );
    const { port } = pg;
    await pg.restart();
    expect(pg.port).toBe(port);
    expect((await pgSimpleQuery(pg.host, port, conn, 'SELECT k, v FROM entries')).rows).toEqual([
      ['a', 'one'],
    ]);

    // A crash (SIGKILL of every server process) loses no committed row either.
    await pgSimpleQuery(pg.host, port, conn, `INSERT INTO entries VALUES ('b', 'two')`);
    await pg.kill();
    await expect(pgSimpleQuery(pg.host, port, conn, 'SELECT 1')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await pg.restart();
    const after = await pgSimpleQuery(pg.host, port, conn, 'SELECT k FROM entries ORDER BY k');
    expect(after.rows).toEqual([['a'], ['b']]);
  });

  it('pause() stops it answering and resume() makes it answer again', async () => {
    const pg = await startPostgres();
    const conn = { user: pg.user, database: pg.database, timeoutMs: 400 };
    await pg.pause();
    await expect(pgSimpleQuery(pg.host, pg.port, conn, 'SELECT 1')).rejects.toThrow(/no answer/);
    await pg.resume();
    expect((await pgSimpleQuery(pg.host, pg.port, conn, 'SELECT 41 + 1')).rows).toEqual([['42']]);
  });

  it('listens on loopback only, passes flags through, and reports SQL errors', async () => {
    const pg = await startPostgres({ args: ['-c', 'max_connections=17'] });
    const conn = { user: pg.user, database: pg.database };
    const show = async (setting: string) =>
      (await pgSimpleQuery(pg.host, pg.port, conn, `SHOW ${setting}`)).rows[0]?.[0];
    expect(await show('max_connections')).toBe('17');
    expect(await show('listen_addresses')).toBe('127.0.0.1');
    expect(await show('fsync')).toBe('off');
    await expect(pgSimpleQuery(pg.host, pg.port, conn, 'SELECT * FROM missing')).rejects.toSatisfy(
      (e) => e instanceof PgError && e.sqlState === '42P01',
    );
    const dir = pg.dir!;
    expect(statSync(dir).isDirectory()).toBe(true);
    await pg.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
