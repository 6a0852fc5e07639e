import { type PostgresServer, startPostgres } from '@resilient-store/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend } from '../../src/index.js';
import { countResources, leftovers, runOutage, Scenario } from './scenario.js';

let server: PostgresServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe.sequential('[postgres, memory] when the PostgreSQL process fails', () => {
  it('killed (SIGKILL) under load: serves from memory, returns once restarted, data kept', async () => {
    server = await startPostgres();
    const running = server;
    const baseline = countResources();
    const backend = postgresBackend({ connectionString: running.url }, { probeIntervalMs: 200 });
    const run = await Scenario.start(backend);
    await backend.set('durable', 'written before the crash', undefined);
    const report = await runOutage(run, {
      inject: () => running.kill(),
      heal: () => running.restart(),
    });
    expect(report.operations).toBeGreaterThan(600);
    expect(String(await backend.get('durable'))).toBe('written before the crash');
    await run.close();
    expect(run.rejections).toEqual([]);
    expect(await leftovers(baseline)).toEqual([]);
  }, 60_000);

  it('paused (SIGSTOP): queries are abandoned at their timeout, the store serves from memory, and returns after SIGCONT', async () => {
    server = await startPostgres();
    const running = server;
    const baseline = countResources();
    const backend = postgresBackend({ connectionString: running.url }, { probeIntervalMs: 200 });
    const run = await Scenario.start(backend);
    await runOutage(run, {
      inject: () => running.pause(),
      heal: () => running.resume(),
    });
    await run.close();
    expect(run.rejections).toEqual([]);
    expect(await leftovers(baseline)).toEqual([]);
  }, 60_000);
});
