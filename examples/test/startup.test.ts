import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@resilient-store/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig, ServiceConfigError } from '../conversation-service/src/config.js';
import { startTestService, type TestService, until } from './service-harness.js';

let running: TestService | undefined;

const SERVICE_MAIN = fileURLToPath(new URL('../conversation-service/src/main.ts', import.meta.url));
/** tsx's loader by its path, as the child's directory cannot resolve the package. */
const TSX_LOADER = new URL('../node_modules/tsx/dist/esm/index.mjs', import.meta.url).href;

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

  it('starts when the Redis backend package is not installed, and says what to install', async () => {
    // The seed's failure ("No module named 'redis'"), now survived: `pnpm start`'s entry
    // point run from a directory where the store finds no backend package. NODE_PATH is
    // left out because pnpm points it at its own store, where the package would be found.
    const appDir = await mkdtemp(join(tmpdir(), 'rs-no-redis-package-'));
    const { NODE_PATH: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', TSX_LOADER, SERVICE_MAIN], {
      cwd: appDir,
      env: {
        ...env,
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<{ level: number; msg: string }> = [];
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line)));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const listening = () => lines.find((l) => /listening on http/.test(l.msg));
      await until(
        () => listening() !== undefined || child.exitCode !== null,
        'the service to listen',
      );
      expect(stderr).toBe('');
      const url = /listening on (http:\/\/\S+);/.exec(listening()!.msg)![1]!;
      const turn = await oneTurn(url);
      expect(turn.status).toBe(200);
      expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([
        expect.stringMatching(/"redis".*left out.*install it: npm install @resilient-store\/redis/),
      ]);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await rm(appDir, { recursive: true, force: true });
    }
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
