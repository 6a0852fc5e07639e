import { BackendUnavailableError } from '@resilient-store/core';
import { startRedis } from '@resilient-store/testkit';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../src/index.js';
import { bytes, rejectionOf, TransitionRecorder, text, untilAvailable } from './helpers.js';

describe('availability signal', () => {
  it('reports a killed server once, with the cause, and its return once', async () => {
    const server = await startRedis();
    // A short backoff cap keeps the wait for the restart short.
    const backend = redisBackend({ url: server.url, maxReconnectDelay: 200 });
    try {
      expect(backend.availability.isAvailable()).toBe(false);
      await untilAvailable(backend.availability);
      expect(backend.availability.isAvailable()).toBe(true);
      const recorder = new TransitionRecorder(backend.availability);
      const second = new TransitionRecorder(backend.availability);
      second.unsubscribe();

      await server.kill();
      const [down] = await recorder.waitForCount(1);
      expect(down?.available).toBe(false);
      expect(down?.cause).toBeInstanceOf(Error);
      expect(backend.availability.isAvailable()).toBe(false);
      // Known down: refused at once, naming the cause, without a round trip.
      const refused = await rejectionOf(backend.set('k', bytes('v'), undefined), 1_000);
      expect(refused).toBeInstanceOf(BackendUnavailableError);

      // Reconnection attempts fail (ECONNREFUSED) but are not new transitions.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(recorder.transitions).toHaveLength(1);

      await server.restart();
      const [, up] = await recorder.waitForCount(2);
      expect(up).toEqual({ available: true, cause: undefined });
      await backend.set('k', bytes('back'), 10_000);
      expect(text(await backend.get('k'))).toBe('back');

      // A second outage is reported like the first.
      await server.kill();
      const [, , downAgain] = await recorder.waitForCount(3);
      expect(downAgain?.available).toBe(false);
      await server.restart();
      await recorder.waitForCount(4);
      expect(recorder.transitions.map((t) => t.available)).toEqual([false, true, false, true]);
      // An unsubscribed listener heard nothing.
      expect(second.transitions).toEqual([]);
    } finally {
      await backend.close();
      await server.stop();
    }
  });

  it('gives the connection error as the cause while the server stays down', async () => {
    const server = await startRedis();
    const backend = redisBackend({ url: server.url, maxReconnectDelay: 100 });
    try {
      await untilAvailable(backend.availability);
      await server.kill();
      // Let at least one reconnection attempt fail.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const error = await rejectionOf(backend.get('k'), 1_000);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect(error.message).toMatch(/ECONNREFUSED/);
    } finally {
      await backend.close();
      await server.stop();
    }
  });

  it('keeps notifying other listeners when one throws', async () => {
    const server = await startRedis();
    const backend = redisBackend({ url: server.url, maxReconnectDelay: 100 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      await untilAvailable(backend.availability);
      backend.availability.subscribe(() => {
        throw new Error('faulty listener');
      });
      const recorder = new TransitionRecorder(backend.availability);
      await server.kill();
      await recorder.waitForCount(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.message)).toContain('faulty listener');
    } finally {
      process.off('warning', onWarning);
      await backend.close();
      await server.stop();
    }
  });
});
