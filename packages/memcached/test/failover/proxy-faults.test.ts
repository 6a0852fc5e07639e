import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { memcachedBackend } from '../../src/index.js';
import { DEFAULTS } from './fixtures/profiles.js';
import { startProxiedMemcached } from './fixtures/proxied-memcached.js';

describe.sequential('scenario 4a/4d: the network between the store and memcached', () => {
  it('4a: black-holed traffic fails over while nothing is answered, and returns once it flows', async () => {
    const { proxy, address } = await startProxiedMemcached();
    const run = await ScenarioRun.start({
      scenario: '4a memcached proxy blackhole',
      profile: DEFAULTS,
      primary: () => memcachedBackend({ servers: [address] }),
    });
    await expectOneOutage(run, {
      inject: () => proxy.blackhole(),
      heal: () => proxy.heal(),
    });
  }, 30_000);

  it('4d: every connection reset (TCP RST) fails over at once and returns once connections hold', async () => {
    const { proxy, address } = await startProxiedMemcached();
    const run = await ScenarioRun.start({
      scenario: '4d memcached proxy reset peer',
      profile: DEFAULTS,
      primary: () => memcachedBackend({ servers: [address] }),
    });
    const { failover } = await expectOneOutage(run, {
      inject: () => proxy.resetPeer(),
      heal: () => proxy.heal(),
      notes: (event) => `failover reason: ${event.payload.reason}`,
    });
    expect(failover.payload.reason).toMatch(/connection lost|breaker open/);
  }, 30_000);
});
