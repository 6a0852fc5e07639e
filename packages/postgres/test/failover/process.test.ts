import { startPostgres } from '@resilient-store/testkit';
import {
  DEFAULT_STORE_PROFILE,
  expectOneOutage,
  ScenarioRun,
} from '@resilient-store/testkit/failover';
import { describe, expect, it } from 'vitest';
import { type PostgresBackend, postgresBackend } from '../../src/index.js';

describe('[postgres, memory] when the PostgreSQL process fails', () => {
  it('killed (SIGKILL) under load: serves from memory, returns once restarted, data kept', async () => {
    const server = await startPostgres();
    let backend: PostgresBackend | undefined;
    const run = await ScenarioRun.start({
      scenario: 'postgres killed',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => {
        backend = postgresBackend({ connectionString: server.url });
        return backend;
      },
    });
    const direct = backend as PostgresBackend;
    await direct.set('durable', 'written before the crash', undefined);
    await expectOneOutage(run, {
      inject: () => server.kill(),
      heal: () => server.restart(),
    });
    // The backend is closed by now; a fresh one reads what the killed server had committed.
    const reader = postgresBackend({ connectionString: server.url });
    try {
      expect(String(await reader.get('durable'))).toBe('written before the crash');
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('paused (SIGSTOP): queries are abandoned at their timeout, memory serves, PostgreSQL returns after SIGCONT', async () => {
    const server = await startPostgres();
    const run = await ScenarioRun.start({
      scenario: 'postgres paused',
      profile: DEFAULT_STORE_PROFILE,
      primary: () => postgresBackend({ connectionString: server.url }),
    });
    await expectOneOutage(run, {
      inject: () => server.pause(),
      heal: () => server.resume(),
      notes: (event) => `failover reason: ${event.payload.reason}`,
    });
  }, 60_000);
});
