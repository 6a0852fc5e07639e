import { BackendUnavailableError } from '@resilient-store/core';
import { freePort, startRedis } from '@resilient-store/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisBackend, redisBackend } from '../src/index.js';
import {
  bytes,
  outcomeWithin,
  rejectionOf,
  TransitionRecorder,
  untilAvailable,
} from './helpers.js';

const backends: RedisBackend[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

function track(backend: RedisBackend): RedisBackend {
  backends.push(backend);
  return backend;
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
  process.off('unhandledRejection', onUnhandled);
});

describe('fail fast', () => {
  it('constructs against an unreachable server without throwing, and every operation rejects at once', async () => {
    process.on('unhandledRejection', onUnhandled);
    const port = await freePort();
    // A command timeout far beyond the test's own bound: an operation that settles in
    // time did not wait for a reply or a reconnection, it was refused up front.
    const backend = track(
      redisBackend({ url: `redis://127.0.0.1:${port}`, commandTimeout: 60_000 }),
    );
    const recorder = new TransitionRecorder(backend.availability);

    // Initially connecting: the first connection attempt fails with ECONNREFUSED.
    const first = await rejectionOf(backend.get('k'), 10_000);
    expect(first).toBeInstanceOf(BackendUnavailableError);
    expect(first.message).toMatch(/ECONNREFUSED/);
    expect(backend.availability.isAvailable()).toBe(false);

    const operations: Array<Promise<unknown>> = [
      backend.get('k'),
      backend.getMany(['a', 'b']),
      backend.set('k', bytes('v'), 1_000),
      backend.setMany([{ key: 'k', value: bytes('v'), ttlMs: undefined }]),
      backend.delete('k'),
      backend.deleteMany(['k']),
      backend.clear('p:'),
      backend.ping(),
    ];
    for (const operation of operations) {
      expect(await rejectionOf(operation, 1_000)).toBeInstanceOf(BackendUnavailableError);
    }
    // It never was available, so there was no transition to report.
    expect(recorder.transitions).toEqual([]);
    // Give any stray rejection a chance to surface.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it('rejects a command on a server that stopped answering within the command timeout, then reports it down', async () => {
    const server = await startRedis();
    const backend = track(redisBackend({ url: server.url, commandTimeout: 200 }));
    await untilAvailable(backend.availability);
    const recorder = new TransitionRecorder(backend.availability);

    await server.pause();
    try {
      const error = await rejectionOf(backend.get('k'), 5_000);
      expect(error.message).toMatch(/timed out/i);
      // The socket timeout declares the silent connection dead and the signal follows.
      const [down] = await recorder.waitForCount(1, 10_000);
      expect(down?.available).toBe(false);
      expect(down?.cause?.message).toMatch(/socket timeout|timed out/i);
      expect(await rejectionOf(backend.get('k'), 1_000)).toBeInstanceOf(BackendUnavailableError);
    } finally {
      await server.resume();
    }
    const [, up] = await recorder.waitForCount(2, 10_000);
    expect(up?.available).toBe(true);
    expect(await backend.get('missing-after-resume')).toBeNull();
  });

  it('does not wait for a reply lost with a dropped connection', async () => {
    const server = await startRedis();
    const backend = track(redisBackend({ url: server.url, commandTimeout: 60_000 }));
    await untilAvailable(backend.availability);
    // A blocking command stands for any command whose reply was in flight.
    const inFlight = outcomeWithin(backend.client.call('BLPOP', 'rs-never-pushed', '0'), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.kill();
    const outcome = await inFlight;
    expect(outcome.state).toBe('rejected');
  });
});
