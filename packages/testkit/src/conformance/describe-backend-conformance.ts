import type { Backend } from '@resilient-store/core';
import { afterAll, beforeAll, describe } from 'vitest';
import { abortTests } from './abort.js';
import { bulkTests } from './bulk.js';
import { clearTests } from './clear.js';
import { conditionalTests } from './conditional.js';
import type { ConformanceContext } from './context.js';
import { expiryTests } from './expiry.js';
import { keyTests } from './keys.js';
import { lifecycleTests } from './lifecycle.js';
import { type ConformanceOptions, resolveConformanceOptions } from './options.js';
import { valueTests } from './values.js';

/**
 * Registers the Backend contract's conformance tests for one backend. Every backend
 * package runs it against a real server:
 *
 *   describeBackendConformance('redis', () => redisBackend({ url }), { ttlGranularityMs: 1 });
 *
 * `makeBackend` is called once for the data tests (the backend is closed after them)
 * and once more for the lifecycle test, which closes its own instance. Keys are
 * unique per run and test, so suites may share a server and run in parallel.
 */
export function describeBackendConformance(
  name: string,
  makeBackend: () => Promise<Backend> | Backend,
  options: ConformanceOptions = {},
): void {
  describe(`${name}: Backend conformance`, () => {
    let shared: Backend | undefined;
    const context: ConformanceContext = {
      backend: () => {
        if (shared === undefined) throw new Error(`the ${name} backend could not be created`);
        return shared;
      },
      makeBackend: async () => makeBackend(),
      options: resolveConformanceOptions(options),
    };

    beforeAll(async () => {
      shared = await makeBackend();
    });
    afterAll(async () => {
      await shared?.close();
    });

    describe('values', () => valueTests(context));
    describe('keys', () => keyTests(context));
    describe('bulk operations', () => bulkTests(context));
    describe('expiry', () => expiryTests(context));
    describe('clear', () => clearTests(context));
    describe('giving up on a call', () => abortTests(context));
    describe('conditional writes', () => conditionalTests(context));
    describe('lifecycle', () => lifecycleTests(context));
  });
}
