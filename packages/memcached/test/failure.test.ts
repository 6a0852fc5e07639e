import { randomBytes } from 'node:crypto';
import {
  BackendTimeoutError,
  BackendUnavailableError,
  type CallControl,
} from '@resilient-store/core';
import { type MemcachedServer, startMemcached } from '@resilient-store/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type MemcachedBackend, memcachedBackend } from '../src/index.js';
import { startProxiedMemcached } from './failover/fixtures/proxied-memcached.js';
import { bytes, connected, outcomeWithin, text, until } from './helpers.js';

const open: MemcachedBackend[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()));
});

async function backendFor(
  servers: string | string[],
  options: { operationTimeout?: number; maxReconnectDelay?: number } = {},
): Promise<MemcachedBackend> {
  const backend = memcachedBackend({ servers, ...options });
  open.push(backend);
  return connected(backend);
}

/** Uncaught exceptions while `work` runs; vitest would also fail the file, this names the test. */
async function uncaughtDuring(work: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const record = (error: Error) => seen.push(error);
  process.on('uncaughtException', record);
  try {
    await work();
  } finally {
    process.off('uncaughtException', record);
  }
  return seen;
}

describe('a killed server', () => {
  it('is reported unavailable at once, fails requests fast, and is used again once restarted', async () => {
    const server: MemcachedServer = await startMemcached();
    const backend = await backendFor(server.url, { maxReconnectDelay: 200 });
    const causes: Array<Error | undefined> = [];
    backend.availability.subscribe((available, cause) => {
      if (!available) causes.push(cause);
    });
    await backend.set('k', bytes('before'), 60_000);

    const uncaught = await uncaughtDuring(async () => {
      // Observed from the start: some reject while the kill is still under way.
      const inFlight = Array.from({ length: 100 }, (_, i) =>
        outcomeWithin(backend.get(`k${i}`), 5_000),
      );
      await server.kill();
      const outcomes = await Promise.all(inFlight);
      // Each settled: answered before the kill, or failed; none left hanging.
      expect(outcomes.filter((o) => o.state === 'pending')).toEqual([]);
      await until('unavailable', () => !backend.availability.isAvailable(), 5_000);
      const failed = await outcomeWithin(backend.get('k'), 1_000);
      expect(failed.state).toBe('rejected');
      expect((failed as { error: unknown }).error).toBeInstanceOf(BackendUnavailableError);
      await expect(backend.ping()).rejects.toBeInstanceOf(BackendUnavailableError);
    });
    expect(uncaught).toEqual([]);
    expect(causes[0]?.message).toMatch(/closed|ECONNRESET|ECONNREFUSED/);

    await server.restart();
    await until('available again', () => backend.availability.isAvailable(), 10_000);
    // memcached restarted empty; the backend serves it again.
    expect(await backend.get('k')).toBeNull();
    await backend.set('k', bytes('after'), 60_000);
    expect(text(await backend.get('k'))).toBe('after');
  });
});

describe('a paused server (SIGSTOP)', () => {
  it('times a request out within the operation timeout and reports the server unavailable', async () => {
    const server = await startMemcached();
    const backend = await backendFor(server.url, { operationTimeout: 300 });
    await server.pause();
    try {
      const outcome = await outcomeWithin(backend.get('paused'), 3_000);
      expect(outcome.state).toBe('rejected');
      expect((outcome as { error: unknown }).error).toBeInstanceOf(BackendTimeoutError);
      expect(backend.availability.isAvailable()).toBe(false);
    } finally {
      await server.resume();
    }
    // The kernel accepted connections all along; only an answered NOOP makes it available.
    await until('available after resume', () => backend.availability.isAvailable(), 10_000);
    await backend.set('paused', bytes('v'), 60_000);
    expect(text(await backend.get('paused'))).toBe('v');
  });
});

describe('late replies', () => {
  it('a reply to an aborted get is dropped, never taken for the next request', async () => {
    const { proxy, address } = await startProxiedMemcached();
    const backend = await backendFor(address, { operationTimeout: 5_000 });
    await backend.setMany([
      { key: 'late:one', value: bytes('one'), ttlMs: 60_000 },
      { key: 'late:two', value: bytes('two'), ttlMs: 60_000 },
    ]);
    proxy.latency(150);
    const control: CallControl = { abort: undefined };
    const aborted = backend.get('late:one', control);
    expect(control.abort).toBeTypeOf('function');
    const reason = new Error('the store gave up');
    control.abort?.(reason);
    await expect(aborted).rejects.toBe(reason);
    // Sent after the aborted one, on the same connection: the first reply to arrive is 'one'.
    expect(text(await backend.get('late:two'))).toBe('two');
    await until('late reply dropped', () => (backend.connections[0]?.droppedReplies ?? 0) >= 1);
    expect(text(await backend.get('late:one'))).toBe('one');
  });

  it('a reply cut off by a timeout leaves nothing behind for the next connection', async () => {
    const { proxy, address } = await startProxiedMemcached();
    const backend = await backendFor(address, { operationTimeout: 300, maxReconnectDelay: 100 });
    const big = randomBytes(512 * 1024);
    await backend.set('cut:big', big, 60_000);
    await backend.set('cut:small', bytes('small'), 60_000);
    // The big reply trickles in: part of it has arrived when the request times out.
    proxy.slicer(4096, 20);
    await expect(backend.get('cut:big')).rejects.toBeInstanceOf(BackendTimeoutError);
    proxy.heal();
    await until('reconnected', () => backend.availability.isAvailable(), 10_000);
    expect(text(await backend.get('cut:small'))).toBe('small');
    expect(Buffer.compare((await backend.get('cut:big')) as Buffer, big)).toBe(0);
  });
});

describe('close()', () => {
  it('fails requests still waiting, and refuses new ones', async () => {
    const { proxy, address } = await startProxiedMemcached();
    const backend = await backendFor(address);
    proxy.blackhole();
    const waiting = expect(backend.get('closing')).rejects.toBeInstanceOf(BackendUnavailableError);
    await backend.close();
    await waiting;
    await expect(backend.get('closing')).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(backend.clear('x')).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(backend.availability.isAvailable()).toBe(false);
  });
});
