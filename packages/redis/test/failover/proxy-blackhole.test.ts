import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { expectBackOnRedis, expectCleanRun } from './harness/expectations.js';
import { DEFAULTS } from './harness/profiles.js';
import { startProxiedRedis } from './harness/proxied-redis.js';
import { ScenarioRun } from './harness/scenario.js';

describe('scenario 4a: the network black-holes Redis traffic', () => {
  it('fails over while nothing is answered, and returns once traffic flows again', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4a proxy blackhole',
      profile: DEFAULTS,
      redis: () => redisBackend({ url: proxy.url() }),
    });
    await sleep(1_000);

    await run.fault(() => proxy.blackhole());
    await run.events.waitFor('failover', { after: run.faultAt, timeoutMs: 5_000 });
    expect(run.store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
    await sleep(Math.max(0, 2_000 - (performance.now() - (run.faultAt ?? 0))));

    await run.lift(() => proxy.heal());
    await run.events.waitFor('recovered', { after: run.faultAt, timeoutMs: 10_000 });
    await sleep(1_500);

    const result = await run.finish();
    expectCleanRun(result, { failovers: 1, recoveries: 1 });
    expectBackOnRedis(result);
  }, 30_000);
});
