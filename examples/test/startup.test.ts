import { freePort } from '@resilient-store/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig, ServiceConfigError } from '../conversation-service/src/config.js';
import { startTestService, type TestService, until } from './service-harness.js';

let running: TestService | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function oneTurn(url: string) {
  const response = await fetch(`${url}/v1/mcp/conversation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'coffee grinder', user_id: 'u1', market_id: 'de' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('startup', () => {
  it('starts with Redis configured but absent, says so, and serves from the memory fallback', async () => {
    const port = await freePort();
    running = await startTestService({ REDIS_URL: `redis://127.0.0.1:${port}` });

    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'degraded', active: 'memory' });
    const turn = await oneTurn(running.url);
    expect(turn.status).toBe(200);
    expect(turn.body.cache_status).toBe('fallback_active');

    // The store reports a backend still unreachable after its startup grace, once.
    const log = running.logs;
    const redisWarnings = () => log.filter((l) => l.level >= 40 && /"redis"/.test(l.msg ?? ''));
    await until(() => redisWarnings().length > 0, 'a warning about redis');
    expect(redisWarnings()).toHaveLength(1);
  });

  it('starts when a configured backend package is not installed, and says what to install', async () => {
    // The examples do not depend on the Memcached and PostgreSQL backend packages.
    running = await startTestService({
      MEMCACHED_SERVERS: '127.0.0.1:11211',
      DATABASE_URL: 'postgres://127.0.0.1:5432/postgres',
    });
    const turn = await oneTurn(running.url);
    expect(turn.status).toBe(200);
    const warnings = running.logs.filter((l) => l.level >= 40).map((l) => l.msg ?? '');
    expect(warnings.some((m) => /memcached/.test(m) && /install/.test(m))).toBe(true);
    expect(warnings.some((m) => /postgres/.test(m) && /install/.test(m))).toBe(true);
  });
});

describe('configuration from the environment', () => {
  it('with no backend variable: no backend, the memory fallback alone', () => {
    expect(readConfig({}).backends).toEqual([]);
    expect(readConfig({}).port).toBe(3000);
  });

  it('orders backends by CACHE_BACKENDS', () => {
    const config = readConfig({
      REDIS_URL: 'redis://r:6379',
      MEMCACHED_SERVERS: 'm1:11211, m2:11211',
      CACHE_BACKENDS: 'memcached,redis,memory',
    });
    expect(config.backends).toEqual([
      { type: 'memcached', servers: ['m1:11211', 'm2:11211'] },
      { type: 'redis', url: 'redis://r:6379' },
    ]);
  });

  it.each([
    [{ CACHE_BACKENDS: 'redis' }, /CACHE_BACKENDS: lists redis but REDIS_URL is not set/],
    [{ CACHE_BACKENDS: 'mongo' }, /CACHE_BACKENDS: unknown backend "mongo"/],
    [{ PORT: 'eighty' }, /PORT: must be a whole number/],
    [{ ANSWER_DELAY_MS: '-1' }, /ANSWER_DELAY_MS: must be a whole number/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(ServiceConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});
