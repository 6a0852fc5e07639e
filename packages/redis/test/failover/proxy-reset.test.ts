import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { expectBackOnRedis, expectCleanRun } from './harness/expectations.js';
import { DEFAULTS } from './harness/profiles.js';
import { startProxiedRedis } from './harness/proxied-redis.js';
import { ScenarioRun } from './harness/scenario.js';

describe('scenario 4d: every connection to Redis is reset (TCP RST)', () => {
  it('fails over at once, refuses nothing to callers, and returns once connections hold', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4d proxy reset peer',
      profile: DEFAULTS,
      redis: () => redisBackend({ url: proxy.url() }),
    });
    await sleep(1_000);

    // Open connections and every reconnection attempt are reset.
    await run.fault(() => proxy.resetPeer());
    const failover = await run.events.waitFor('failover', { after: run.faultAt, timeoutMs: 5_000 });
    // Whichever the store notices first: the connection's loss, or the streak of
    // commands failing on the reset socket that opens the breaker.
    expect(failover.payload.reason).toMatch(/connection lost|breaker open/);
    await sleep(1_500);

    await run.lift(() => proxy.heal());
    await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
    await sleep(1_500);

    const result = await run.finish(`failover reason: ${failover.payload.reason}`);
    expectCleanRun(result, { failovers: 1, recoveries: 1 });
    expectBackOnRedis(result);
  }, 30_000);
});
