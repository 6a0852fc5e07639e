import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RespError, redisCommand, startRedis } from '../../src/servers/index.js';

describe('startRedis (local binary)', () => {
  it('starts a server that stores and returns values and exposes its address', async () => {
    const redis = await startRedis();
    expect(redis.source).toBe('local');
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.pid).toBeGreaterThan(0);
    await redisCommand(redis.host, redis.port, ['SET', 'greeting', 'hello']);
    expect(await redisCommand(redis.host, redis.port, ['GET', 'greeting'])).toBe('hello');
    // Default is no persistence: nothing may be written to disk behind a test's back.
    expect(await redisCommand(redis.host, redis.port, ['CONFIG', 'GET', 'appendonly'])).toEqual([
      'appendonly',
      'no',
    ]);
    expect(await redisCommand(redis.host, redis.port, ['CONFIG', 'GET', 'save'])).toEqual([
      'save',
      '',
    ]);
    const dir = redis.dir;
    expect(dir && existsSync(dir)).toBe(true);
    const pid = redis.pid!;
    await redis.stop();
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(dir!)).toBe(false);
    await redis.stop(); // idempotent
  });

  it('kill() makes connections fail and restart() brings it back on the same port', async () => {
    const redis = await startRedis();
    const { port } = redis;
    await redisCommand(redis.host, port, ['SET', 'k', 'v']);
    await redis.kill();
    await expect(redisCommand(redis.host, port, ['PING'])).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(redis.pid).toBeUndefined();
    await redis.restart();
    expect(redis.port).toBe(port);
    expect(await redisCommand(redis.host, port, ['PING'])).toBe('PONG');
    // Without persistence the data died with the process.
    expect(await redisCommand(redis.host, port, ['GET', 'k'])).toBeNull();
  });

  it('pause() makes commands time out and resume() makes them answer again', async () => {
    const redis = await startRedis();
    await redis.pause();
    await expect(
      redisCommand(redis.host, redis.port, ['PING'], { timeoutMs: 300 }),
    ).rejects.toThrow(/no answer .* within 300 ms/);
    await redis.resume();
    expect(await redisCommand(redis.host, redis.port, ['PING'])).toBe('PONG');
  });

  it('restart() of a paused server continues it first', async () => {
    const redis = await startRedis();
    await redis.pause();
    await redis.restart();
    expect(await redisCommand(redis.host, redis.port, ['PING'], { timeoutMs: 500 })).toBe('PONG');
  });

  it('persistence: true keeps data across restart() and kill()', async () => {
    const redis = await startRedis({ persistence: true });
    await redisCommand(redis.host, redis.port, ['SET', 'kept', '1']);
    await redis.restart();
    expect(await redisCommand(redis.host, redis.port, ['GET', 'kept'])).toBe('1');
    await redisCommand(redis.host, redis.port, ['SET', 'kept', '2']);
    await redis.kill();
    await redis.restart();
    expect(await redisCommand(redis.host, redis.port, ['GET', 'kept'])).toBe('2');
  });

  it('password and ACL user are enforced and reflected in the url', async () => {
    const user = { name: 'app', password: 'p@ss word' };
    const redis = await startRedis({ password: 's3cret', user });
    expect(redis.url).toBe(`redis://app:p%40ss%20word@127.0.0.1:${redis.port}`);
    await expect(redisCommand(redis.host, redis.port, ['GET', 'x'])).rejects.toThrow(/NOAUTH/);
    expect(await redisCommand(redis.host, redis.port, ['PING'], { password: 's3cret' })).toBe(
      'PONG',
    );
    expect(
      await redisCommand(redis.host, redis.port, ['ACL', 'WHOAMI'], {
        username: user.name,
        password: user.password,
      }),
    ).toBe('app');
    await expect(
      redisCommand(redis.host, redis.port, ['PING'], { username: 'app', password: 'wrong' }),
    ).rejects.toBeInstanceOf(RespError);
  });

  it('passes extra flags through', async () => {
    const redis = await startRedis({ args: ['--maxmemory', '12mb'] });
    expect(await redisCommand(redis.host, redis.port, ['CONFIG', 'GET', 'maxmemory'])).toEqual([
      'maxmemory',
      String(12 * 1024 * 1024),
    ]);
  });

  it('tls: true serves TLS only, on the handle port, trusted through tls.ca, across restart()', async () => {
    const redis = await startRedis({ tls: true, password: 's3cret' });
    const tls = redis.tls!;
    expect(redis.url).toBe(`rediss://:s3cret@127.0.0.1:${redis.port}`);
    expect(tls.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const secure = { tls, password: 's3cret' };
    await redisCommand(redis.host, redis.port, ['SET', 'k', 'v'], secure);
    expect(await redisCommand(redis.host, redis.port, ['GET', 'k'], secure)).toBe('v');
    // Plain text gets no answer: the server expected a ClientHello and drops the peer.
    await expect(
      redisCommand(redis.host, redis.port, ['PING'], { password: 's3cret', timeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    // Another TLS server's certificate does not make this one trusted.
    const other = await startRedis({ tls: true });
    expect(other.tls!.ca).not.toBe(tls.ca);
    expect(other.url).toBe(`rediss://127.0.0.1:${other.port}`);
    await expect(
      redisCommand(redis.host, redis.port, ['PING'], { ...secure, tls: other.tls }),
    ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

    await redis.restart();
    expect(await redisCommand(redis.host, redis.port, ['PING'], secure)).toBe('PONG');
  });

  it('tls: true never adopts RS_TEST_REDIS_URL, which names a plain-text server', async () => {
    const shared = await startRedis();
    process.env.RS_TEST_REDIS_URL = shared.url;
    try {
      const redis = await startRedis({ tls: true });
      expect(redis.source).not.toBe('env');
      expect(redis.port).not.toBe(shared.port);
      expect(await redisCommand(redis.host, redis.port, ['PING'], { tls: redis.tls })).toBe('PONG');
    } finally {
      delete process.env.RS_TEST_REDIS_URL;
    }
  });
});
