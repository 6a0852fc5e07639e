import { BackendUnavailableError } from '@resilient-store/core';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisBackend, redisBackend } from '../src/index.js';
import { bytes, rejectionOf, text, untilAvailable } from './helpers.js';

let server: RedisServer;
const backends: RedisBackend[] = [];
const hostPort = () => `${server.host}:${server.port}`;

beforeAll(async () => {
  server = await startRedis({
    password: 'default-secret',
    user: { name: 'app', password: 'app-secret' },
  });
});

afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.close()));
  await server?.stop();
});

function backend(options: Parameters<typeof redisBackend>[0]): RedisBackend {
  const created = redisBackend(options);
  backends.push(created);
  return created;
}

describe('authentication', () => {
  it('a wrong password gives a clear auth error, at once, and never reports available', async () => {
    const wrong = backend({
      url: `redis://${hostPort()}`,
      password: 'wrong',
      commandTimeout: 60_000,
    });
    const error = await rejectionOf(wrong.get('k'), 5_000);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.message).toMatch(/WRONGPASS|invalid username-password/i);
    expect(wrong.availability.isAvailable()).toBe(false);
    // Later operations are refused at once with the same cause.
    const again = await rejectionOf(wrong.ping(), 1_000);
    expect(again.message).toMatch(/WRONGPASS|invalid username-password/i);
  });

  it('a missing password is refused with NOAUTH', async () => {
    const none = backend({ url: `redis://${hostPort()}` });
    // The server refuses the unauthenticated handshake, so the client never becomes ready.
    const error = await rejectionOf(none.get('k'), 5_000);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.message).toMatch(/NOAUTH|Authentication required/i);
  });

  it('the default user logs in with the password option', async () => {
    const ok = backend({ url: `redis://${hostPort()}`, password: 'default-secret' });
    await untilAvailable(ok.availability);
    await ok.set('auth:k', bytes('v'), 10_000);
    expect(text(await ok.get('auth:k'))).toBe('v');
  });

  it('an ACL user logs in with username and password, from options or from the URL', async () => {
    const fromOptions = backend({
      url: `redis://${hostPort()}`,
      username: 'app',
      password: 'app-secret',
    });
    await untilAvailable(fromOptions.availability);
    expect((await fromOptions.client.call('ACL', 'WHOAMI')) as string).toBe('app');

    const fromUrl = backend({ url: `redis://app:app-secret@${hostPort()}` });
    await untilAvailable(fromUrl.availability);
    expect((await fromUrl.client.call('ACL', 'WHOAMI')) as string).toBe('app');
  });
});
