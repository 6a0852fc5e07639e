import type { StoreEvents } from '@resilient-store/core';
import { expectOneOutage, ScenarioRun } from '@resilient-store/testkit/failover';
import type { HistoryViolation } from '@resilient-store/testkit/history';
import { describe, expect, it } from 'vitest';
import { redisBackend } from '../../src/index.js';
import { TUNED } from './fixtures/profiles.js';
import { startProxiedRedis } from './fixtures/proxied-redis.js';

/** Far fewer than the 300 keys the load writes during a 2 s outage. */
const MAX_JOURNAL_KEYS = 20;

/**
 * The network to Redis cut under load (Redis keeps every value it held before), with a
 * journal too small for the outage: it overflows, and the store can no longer name the
 * keys written meanwhile. Returns the history's violations, the overflow events and
 * the log lines.
 */
async function overflowingOutage(onOverflow: 'clear' | 'accept-stale') {
  const { proxy } = await startProxiedRedis();
  const run = await ScenarioRun.start({
    scenario: `journal overflow (${onOverflow})`,
    profile: {
      ...TUNED,
      store: { ...TUNED.store, recovery: { maxJournalKeys: MAX_JOURNAL_KEYS, onOverflow } },
    },
    primary: () => redisBackend({ url: proxy.url(), ...TUNED.redis }),
    recordHistory: true,
  });
  const overflows: Array<StoreEvents['journalOverflow']> = [];
  run.store.on('journalOverflow', (event) => overflows.push(event));
  const { result } = await expectOneOutage(run, {
    inject: () => proxy.down(),
    heal: () => proxy.up(),
    // Judged below: an overflow may lose values (cold), and 'accept-stale' may serve old ones.
    expectHistoryClean: false,
  });
  return {
    violations: result.history?.report.violations ?? [],
    overflows,
    lines: run.log.lines.map((l) => l.text),
  };
}

const describeAll = (violations: readonly HistoryViolation[]) =>
  `${violations.length} violations: ${violations
    .slice(0, 5)
    .map((v) => v.message)
    .join('\n')}`;

describe.sequential('the recovery journal overflows during an outage', () => {
  it("'clear' (default): journalOverflow is emitted and logged, Redis comes back cold, and nothing older than the newest acknowledged write is read", async () => {
    const { violations, overflows, lines } = await overflowingOutage('clear');
    expect(overflows.length).toBeGreaterThanOrEqual(1);
    expect(overflows[0]).toEqual({ backend: 'redis', limit: MAX_JOURNAL_KEYS });
    expect(lines.filter((l) => /journal of backend "redis" overflowed/.test(l))).toHaveLength(
      overflows.length,
    );
    expect(lines.some((l) => /overflowed, so the namespace was cleared on it/.test(l))).toBe(true);
    // The namespace was cleared on Redis and the fallback: a key not written since reads
    // as a miss (a lost value, the documented cost: cold), never as an older value.
    const notLost = violations.filter((v) => v.kind !== 'lost');
    expect(notLost.map((v) => v.message).slice(0, 5), describeAll(notLost)).toEqual([]);
  }, 40_000);

  it("'accept-stale': Redis serves what it held, and the checker sees the older values it returns", async () => {
    const { violations, overflows, lines } = await overflowingOutage('accept-stale');
    expect(overflows.length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => /keys written during the outage may read older values/.test(l))).toBe(
      true,
    );
    expect(
      violations.filter((v) => v.kind === 'stale' || v.kind === 'resurrected').length,
      describeAll(violations),
    ).toBeGreaterThan(0);
  }, 40_000);
});
