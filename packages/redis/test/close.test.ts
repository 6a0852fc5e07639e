import { BackendUnavailableError } from '@resilient-store/core';
import {
  freePort,
  type RedisServer,
  startRedis,
  startRedisSentinel,
} from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBackend } from '../src/index.js';
import { bytes, rejectionOf, TransitionRecorder, trackHandles, untilAvailable } from './helpers.js';

/** Lets closed sockets and fired timers report their destruction (async_hooks batches it). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server?.stop();
});

describe('close()', () => {
  it('leaves no socket or timer behind, and is idempotent', async () => {
    const handles = trackHandles();
    const backend = redisBackend({ url: server.url });
    await untilAvailable(backend.availability);
    await backend.set('rs-close:k', bytes('v'), 1_000);
    expect(handles.alive().some((handle) => handle.startsWith('TCPWRAP'))).toBe(true);

    const recorder = new TransitionRecorder(backend.availability);
    await Promise.all([backend.close(), backend.close()]);
    await backend.close();
    await settle();

    handles.stop();
    expect(handles.alive()).toEqual([]);
    expect(backend.client.status).toBe('end');
    // Subscribers hear once that the backend is gone.
    expect(recorder.transitions.map((t) => t.available)).toEqual([false]);
    const error = await rejectionOf(backend.get('rs-close:k'));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.message).toMatch(/closed/);
  });

  it('leaves nothing behind while reconnecting to a server that is gone', async () => {
    const port = await freePort();
    const handles = trackHandles();
    const backend = redisBackend({ url: `redis://127.0.0.1:${port}` });
    // Wait until the first attempt failed and a reconnection timer is pending.
    await rejectionOf(backend.ping());
    await backend.close();
    await settle();
    handles.stop();
    expect(handles.alive()).toEqual([]);
  });

  it('leaves nothing behind while no sentinel can be reached', async () => {
    const sentinels = [{ host: '127.0.0.1', port: await freePort() }];
    const handles = trackHandles();
    const backend = redisBackend({ sentinels, masterName: 'cache' });
    // The first round of lookups failed at once, and the backend waits to look again.
    expect((await rejectionOf(backend.ping())).message).toMatch(
      /All sentinels are unreachable; retrying in \d+ ms\. Last error: connect ECONNREFUSED/,
    );
    await backend.close();
    await settle();
    handles.stop();
    expect(handles.alive()).toEqual([]);
    expect(backend.client.status).toBe('end');
  });

  it('leaves nothing behind after serving through sentinels', async () => {
    const group = await startRedisSentinel({ sentinels: 1 });
    try {
      const handles = trackHandles();
      const backend = redisBackend({ sentinels: group.sentinels, masterName: group.masterName });
      await untilAvailable(backend.availability);
      await backend.set('rs-close:sentinel', bytes('v'), 1_000);
      await backend.close();
      await settle();
      handles.stop();
      expect(handles.alive()).toEqual([]);
    } finally {
      await group.stop();
    }
  });

  it('does not close a client it was given, unless told to', async () => {
    const client = new Redis(server.url);
    client.on('error', () => {});
    try {
      const borrowed = redisBackend({ client });
      await untilAvailable(borrowed.availability);
      await borrowed.set('rs-close:borrowed', bytes('v'), 1_000);
      await borrowed.close();
      expect(client.status).toBe('ready');
      expect(await client.get('rs-close:borrowed')).toBe('v');
      expect(await rejectionOf(borrowed.get('rs-close:borrowed'))).toBeInstanceOf(
        BackendUnavailableError,
      );

      const owning = redisBackend({ client, closeClient: true });
      expect(owning.availability.isAvailable()).toBe(true);
      await owning.close();
      expect(client.status).toBe('end');
    } finally {
      client.disconnect();
    }
  });
});
