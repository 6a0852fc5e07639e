import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

describe('scenario 4a: the network black-holes Redis traffic', () => {
  it('fails over while nothing is answered, and returns once traffic flows again', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4a proxy blackhole',
      profile: DEFAULTS,
      primary: () => redisBackend({ url: proxy.url() }),
      // Every operation through the history checker: no stale read after recovery.
      recordHistory: true,
    });
    await expectOneOutage(run, {
      inject: () => proxy.blackhole(),
      heal: () => proxy.heal(),
    });
  }, 30_000);
});
