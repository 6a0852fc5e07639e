import {
  createStore,
  type LogFn,
  type Logger,
  type ResilientStore,
  type StoreConfig,
  type StoreEvents,
} from '@resilient-store/core';
import { freePort, startRedis } from '@resilient-store/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import * as redisPackage from '../src/index.js';

/*
 * A short-lived process (a job, a CLI) must hear that Redis is unreachable before it
 * is done: `createStore` resolves only once the warning, a `failover` event and one
 * log line, has been given.
 */

/** createStore loads this package from source rather than from its build. */
const THIS_PACKAGE = {
  importer: (specifier: string) =>
    specifier === '@resilient-store/redis' ? Promise.resolve(redisPackage) : import(specifier),
};

interface Startup {
  readonly store: ResilientStore;
  /** Warnings logged by the time createStore resolved. */
  readonly warnings: string[];
  /** Every warning so far, including later ones. */
  readonly allWarnings: readonly string[];
  readonly failovers: Array<StoreEvents['failover']>;
}

const opened: ResilientStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

/** createStore over one Redis at `url`, recording warnings and failover events from the start. */
async function open(url: string): Promise<Startup> {
  const warnings: string[] = [];
  const failovers: Array<StoreEvents['failover']> = [];
  const ignore: LogFn = () => {};
  const warn: LogFn = (objOrMsg: object | string, msg?: string) => {
    warnings.push(typeof objOrMsg === 'string' ? objOrMsg : (msg ?? ''));
  };
  const logger: Logger = { debug: ignore, info: ignore, warn, error: ignore };
  const config = {
    logger,
    backends: [{ type: 'redis', url }],
    on: { failover: (event) => failovers.push(event) },
  } satisfies StoreConfig;
  const store = await createStore(config, THIS_PACKAGE);
  opened.push(store);
  // Copies: what had happened when createStore resolved, not what came after.
  return { store, warnings: [...warnings], allWarnings: warnings, failovers: [...failovers] };
}

function expectWarnedBeforeResolving({ store, warnings, failovers }: Startup): void {
  expect(failovers).toEqual([
    { from: 'redis', to: 'memory', reason: expect.stringMatching(/^unreachable at startup: /) },
  ]);
  expect(warnings).toEqual([
    expect.stringMatching(/^backend "redis" is unreachable at startup: .*; serving from "memory"$/),
  ]);
  expect(store.health()).toMatchObject({ status: 'degraded', active: 'memory' });
}

describe('createStore with Redis unreachable at startup', () => {
  it('warns that a closed port is unreachable and memory serves, before it resolves', async () => {
    const startup = await open(`redis://127.0.0.1:${await freePort()}`);
    expectWarnedBeforeResolving(startup);
    expect(startup.failovers[0]?.reason).toMatch(/ECONNREFUSED/);
  });

  it('warns the same for a Redis that was stopped, and says it once', async () => {
    const server = await startRedis();
    const url = server.url;
    await server.stop();
    const startup = await open(url);
    expectWarnedBeforeResolving(startup);
    // The store serves from memory, and says nothing more about it.
    await startup.store.set('k', 'v');
    expect(await startup.store.get('k')).toBe('v');
    expect(startup.store.health().active).toBe('memory');
    expect(startup.allWarnings).toEqual(startup.warnings);
  });

  it('says nothing when Redis answers, and serves from it', async () => {
    const server = await startRedis();
    try {
      const { store, warnings, failovers } = await open(server.url);
      expect({ warnings, failovers }).toEqual({ warnings: [], failovers: [] });
      expect(store.health()).toMatchObject({ status: 'ok', active: 'redis' });
    } finally {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await server.stop();
    }
  });
});
