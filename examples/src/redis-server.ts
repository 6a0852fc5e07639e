/**
 * The demo's own redis-server, started through the testkit on a free loopback port so
 * that killing it hurts nobody else. When no binary can be found (or the demo is told to
 * do without), it says why, and the demo runs its store against a port nobody listens on.
 */
import {
  freePort,
  type RedisServer,
  ServerBinaryNotFoundError,
  startRedis,
} from '@resilient-store/testkit';
import type { DemoSettings } from './settings.js';

export type RedisChoice =
  | { readonly kind: 'server'; readonly server: RedisServer }
  | { readonly kind: 'none'; readonly why: string; readonly deadUrl: string };

export async function chooseRedis(settings: DemoSettings): Promise<RedisChoice> {
  if (settings.noRedis) return none('DEMO_NO_REDIS=1 asks for a run without Redis');
  try {
    const server = await startRedis({
      // Always a private local server: one from RS_TEST_REDIS_URL could not be killed,
      // and killing someone's shared server is not a demo.
      mode: 'local',
      binDir: settings.redisBinDir,
      // AOF on, as a store of conversation state would have it: what Redis held before
      // the kill is there again after the restart.
      persistence: true,
    });
    return { kind: 'server', server };
  } catch (error) {
    if (!(error instanceof ServerBinaryNotFoundError)) throw error;
    // The testkit's own hint also offers RS_TEST_REDIS_URL, which the demo cannot use.
    const notFound = /^.*?\)/.exec(error.message)?.[0] ?? 'redis-server not found';
    return none(`${notFound}. ${INSTALL_HINT}`);
  }
}

const INSTALL_HINT =
  'Install Redis (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) ' +
  'to see the store ride out a Redis outage.';

async function none(why: string): Promise<RedisChoice> {
  return { kind: 'none', why, deadUrl: `redis://127.0.0.1:${await freePort()}` };
}
