import { memoryBackend } from '@resilient-store/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORE_PROFILE, expectCleanRun, ScenarioRun } from '../../src/failover/index.js';
import { pollUntil } from '../../src/servers/poll.js';

describe('a scenario recording its history', () => {
  it('records every operation, reads every key once at the end, and checks the history', async () => {
    const run = await ScenarioRun.start({
      scenario: 'history of a healthy store',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => memoryBackend({ name: 'primary' }),
      load: { concurrency: 20, keys: 50 },
      recordHistory: true,
    });
    expect(await pollUntil(async () => run.load.records.length >= 2_000, 20_000)).toBe(true);
    const result = await run.finish();
    expectCleanRun(result, { failovers: 0, recoveries: 0 });

    const { recorded, convergedAfter, report } = result.history ?? expect.unreachable();
    // The load's operations, then one read of each key after it stopped.
    expect(recorded.ops.length).toBe(result.records.length + 50);
    const finals = recorded.ops.filter((op) => op.invokedAt >= convergedAfter);
    expect(finals.map((op) => op.key).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `k${i}`).sort(),
    );
    expect(report.violations).toEqual([]);
    expect(report.reads).toBeGreaterThan(50);
    expect(result.summary.history).toEqual(report.counts);
  }, 30_000);
});
