import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

describe('scenario 4d: every connection to Redis is reset (TCP RST)', () => {
  it('fails over at once, refuses nothing to callers, and returns once connections hold', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4d proxy reset peer',
      profile: DEFAULTS,
      primary: () => redisBackend({ url: proxy.url() }),
      // Every operation through the history checker: no stale read after recovery.
      recordHistory: true,
    });
    const { failover } = await expectOneOutage(run, {
      // Open connections and every reconnection attempt are reset.
      inject: () => proxy.resetPeer(),
      heal: () => proxy.heal(),
      notes: (event) => `failover reason: ${event.payload.reason}`,
    });
    // Whichever the store notices first: the connection's loss, or the streak of
    // commands failing on the reset socket that opens the breaker.
    expect(failover.payload.reason).toMatch(/connection lost|breaker open/);
  }, 30_000);
});
