import { describe, expect, it } from 'vitest';
import { memcachedGet, memcachedSet, startMemcached } from '../../src/servers/index.js';

const MiB = 1024 * 1024;

describe('startMemcached (local binary)', () => {
  it('stores and returns values over the text protocol', async () => {
    const mc = await startMemcached();
    expect(mc.source).toBe('local');
    expect(mc.url).toBe(`127.0.0.1:${mc.port}`);
    expect(await memcachedSet(mc.host, mc.port, 'greeting', 'hello')).toBe('STORED');
    expect((await memcachedGet(mc.host, mc.port, 'greeting'))?.toString()).toBe('hello');
    expect(await memcachedGet(mc.host, mc.port, 'absent')).toBeNull();
  });

  it('honours -I: a 1.5 MiB item is refused by default and stored with -I 2m', async () => {
    const big = Buffer.alloc(1.5 * MiB, 7);
    const [plain, large] = await Promise.all([
      startMemcached(),
      startMemcached({ args: ['-I', '2m'] }),
    ]);
    expect(await memcachedSet(plain.host, plain.port, 'big', big)).toMatch(
      /^SERVER_ERROR .*too large/,
    );
    expect(await memcachedSet(large.host, large.port, 'big', big)).toBe('STORED');
    expect((await memcachedGet(large.host, large.port, 'big'))?.equals(big)).toBe(true);
  });

  it('kill, pause/resume and restart on the same port', async () => {
    const mc = await startMemcached();
    const { port } = mc;
    await mc.pause();
    await expect(memcachedGet(mc.host, port, 'k', { timeoutMs: 300 })).rejects.toThrow(/no answer/);
    await mc.resume();
    expect(await memcachedSet(mc.host, port, 'k', 'v')).toBe('STORED');
    await mc.kill();
    await expect(memcachedGet(mc.host, port, 'k')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await mc.restart();
    expect(mc.port).toBe(port);
    expect(await memcachedGet(mc.host, port, 'k')).toBeNull();
  });
});
