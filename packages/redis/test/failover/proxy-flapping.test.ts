import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BREAKER } from '@resilient-store/core';
import {
  expectBackOnPrimary,
  expectCleanRun,
  expectHistoryClean,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

const FLAP_FOR_MS = 10_000;
const FLAP_EVERY_MS = 300;

describe('scenario 4f: the connection to Redis flaps (down/up every 300 ms for 10 s)', () => {
  it('does not thrash: few failovers, each paired with a recovery, and no caller error', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4f proxy flapping',
      profile: DEFAULTS,
      primary: () => redisBackend({ url: proxy.url() }),
      // Every operation through the history checker: no stale read after recovery.
      recordHistory: true,
    });
    await sleep(500);

    await run.fault();
    let flaps = 0;
    while (performance.now() - (run.faultAt ?? 0) < FLAP_FOR_MS) {
      await proxy.down();
      await sleep(FLAP_EVERY_MS);
      await proxy.up();
      await sleep(FLAP_EVERY_MS);
      flaps++;
    }
    await run.lift(() => proxy.heal());
    // The last flap may have left the breaker open: wait for the return to Redis.
    if (run.store.health().active !== 'redis') {
      await run.events.waitFor('recovered', { after: run.liftedAt, timeoutMs: 10_000 });
    }
    await sleep(1_500);

    const result = await run.finish(`${flaps} down/up cycles`);
    // A lost connection opens the breaker, which admits a probe only after resetTimeout:
    // at most one outage per resetTimeout, plus the one in progress.
    const bound = Math.floor(FLAP_FOR_MS / DEFAULT_BREAKER.resetTimeout) + 1;
    expectCleanRun(result, {
      failovers: { min: 1, max: bound },
      recoveries: { min: 1, max: bound },
    });
    expect(result.summary.recoveries).toBe(result.summary.failovers);
    expectBackOnPrimary(result);
    // Every outage's journal was replayed before Redis served those keys again.
    expectHistoryClean(result);
  }, 40_000);
});
