import { startRedis } from '@resilient-store/testkit';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { PROFILES, type Profile, TUNED } from './fixtures/profiles.js';

describe.sequential('scenario 1: Redis killed (SIGKILL) under load, restarted on the same port', () => {
  for (const profile of PROFILES) {
    it(`serves from memory throughout and returns to Redis (${profile.name} settings)`, async () => {
      const server = await startRedis();
      const run = await ScenarioRun.start({
        scenario: '1 redis killed',
        profile,
        primary: () => redisBackend({ url: server.url, ...profile.redis }),
      });
      expect(run.store.health()).toMatchObject({ status: 'ok', active: 'redis' });
      await expectOneOutage(run, {
        inject: () => server.kill(),
        heal: () => server.restart(),
      });
    }, 40_000);
  }
});

/**
 * The same kill, every operation recorded and checked by the history checker. Redis
 * keeps what it acknowledged (AOF, fsync on every write), so whatever a read returns
 * after the recovery is judged against every acknowledged write.
 */
describe.sequential('scenario 1 through the history checker', () => {
  async function killAndRestart(profile: Profile) {
    const server = await startRedis({ persistence: true, args: ['--appendfsync', 'always'] });
    const run = await ScenarioRun.start({
      scenario: '1 redis killed (history)',
      profile,
      primary: () => redisBackend({ url: server.url, ...profile.redis }),
      recordHistory: true,
    });
    const { result } = await expectOneOutage(run, {
      inject: () => server.kill(),
      heal: () => server.restart(),
      // The run with the journal off is there to show violations.
      expectHistoryClean: profile.store.recovery?.journal ?? true,
    });
    return result.history?.report;
  }

  it('no read-your-writes, monotonic-read or convergence violation after recovery', async () => {
    const report = await killAndRestart(TUNED);
    expect(report?.counts).toBeDefined();
    expect(report?.violations.slice(0, 5)).toEqual([]);
  }, 40_000);

  it('with the journal switched off (test-only), the checker reports the stale reads', async () => {
    const report = await killAndRestart({
      ...TUNED,
      store: { ...TUNED.store, recovery: { journal: false } },
    });
    expect(report?.violations.length).toBeGreaterThan(0);
  }, 40_000);
});
