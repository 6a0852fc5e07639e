import { setTimeout as sleep } from 'node:timers/promises';
import { expectCleanRun, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { DEFAULTS, type Profile } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

/**
 * The default store with a budget for a link this slow: the property under test is
 * decoding, so one attempt gets 1 s instead of the default 250 ms, which the slicing
 * (one timer per byte) exceeded once on a loaded machine, opening the breaker.
 */
const SLOW_LINK: Profile = {
  ...DEFAULTS,
  name: 'slow link',
  store: { breaker: { timeout: 1_000 }, operationTimeout: 1_000 },
};

describe('scenario 4e: replies arrive one byte at a time', () => {
  it('decodes every value and never fails over', async () => {
    const { proxy } = await startProxiedRedis();
    const run = await ScenarioRun.start({
      scenario: '4e proxy slicer 1 byte',
      profile: SLOW_LINK,
      primary: () => redisBackend({ url: proxy.url() }),
      // One byte per millisecond each way is ~1 KB/s on the one connection: two operations
      // in flight (requests of ~40-70 bytes, replies of ~5-40) take up to ~150-190 ms, and
      // past 250 ms when this machine is loaded. More load would time out on throughput,
      // which is not the property under test (that fragmented replies decode). Mostly
      // reads: their requests are short and their replies carry the values that must decode.
      load: { concurrency: 2, keys: 10, getShare: 0.8, setShare: 0.15 },
    });
    await sleep(300);

    await run.fault(() => proxy.slicer(1, 1));
    await sleep(2_500);
    await run.lift(() => proxy.heal());
    await sleep(300);

    const result = await run.finish();
    expectCleanRun(result, { failovers: 0, recoveries: 0 });
    expect(result.summary.breakerTransitions, 'breaker transitions').toBe(0);
    // A reply split mid-frame must never surface as a protocol or parse error. An attempt
    // that ran out of time behind a slow byte stream on a busy machine is not a decoding
    // failure; it is tolerated, but stays rare.
    for (const { message } of run.events.attemptErrors) {
      expect(message).toMatch(/did not answer within/);
    }
    const duringSlicing = result.served.counts(run.faultAt, run.liftedAt);
    expect(duringSlicing.memory ?? 0, JSON.stringify(duringSlicing)).toBeLessThanOrEqual(
      0.05 * (duringSlicing.redis ?? 0),
    );
    // Values were read back through the slicer, and every one decoded to what was written
    // (the read-your-writes checker flags any malformed or foreign value).
    const sliced = run.load.between((run.faultAt ?? 0) + 100, run.liftedAt ?? 0);
    const reads = sliced.filter((r) => r.op === 'get');
    expect(reads.length).toBeGreaterThan(5);
    expect(run.checker.violations).toEqual([]);
    expect(reads.filter((r) => r.hit).length, 'reads that returned a value').toBeGreaterThan(0);
  }, 30_000);
});
