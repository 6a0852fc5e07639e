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
import {
  type ConformanceGroup,
  type ConformanceOptions,
  type OptOutReasons,
  resolveConformanceOptions,
} from './options.js';
import { valueTests } from './values.js';

/** Each group: its title and the function that registers its tests. */
const GROUPS: ReadonlyArray<{
  readonly group: ConformanceGroup;
  readonly title: string;
  readonly register: (context: ConformanceContext) => void;
}> = [
  { group: 'values', title: 'values', register: valueTests },
  { group: 'keys', title: 'keys', register: keyTests },
  { group: 'bulk', title: 'bulk operations', register: bulkTests },
  { group: 'expiry', title: 'expiry', register: expiryTests },
  { group: 'clear', title: 'clear', register: clearTests },
  { group: 'abort', title: 'giving up on a call', register: abortTests },
  { group: 'lifecycle', title: 'lifecycle', register: lifecycleTests },
];

/**
 * Registers the Backend contract's conformance tests for one backend. Every backend
 * package runs it against a real server:
 *
 *   describeBackendConformance('memcached', () => memcachedBackend({ servers }), {
 *     ttlResolutionMs: 1000,
 *     optOut: { abort: 'memjs cannot cancel a request it has sent' },
 *   });
 *
 * `makeBackend` is called once for the data tests (the backend is closed after them)
 * and once more for the lifecycle test, which closes its own instance. Keys are
 * unique per run and test, so suites may share a server and run in parallel.
 *
 * A group opted out of registers no tests; its reason is part of the suite's title, so
 * every report of the suite says what was left out and why.
 */
export function describeBackendConformance<const T extends OptOutReasons = OptOutReasons>(
  name: string,
  makeBackend: () => Promise<Backend> | Backend,
  options: ConformanceOptions<T> = {},
): void {
  const resolved = resolveConformanceOptions(options);
  const optedOut = [...resolved.optOut].map(([group, reason]) => `${group}: ${reason}`);
  const title =
    optedOut.length === 0
      ? `${name}: Backend conformance`
      : `${name}: Backend conformance (opted out of ${optedOut.join('; ')})`;

  describe(title, () => {
    let shared: Backend | undefined;
    const context: ConformanceContext = {
      backend: () => {
        if (shared === undefined) throw new Error(`the ${name} backend could not be created`);
        return shared;
      },
      makeBackend: async () => makeBackend(),
      options: resolved,
    };

    beforeAll(async () => {
      shared = await makeBackend();
    });
    afterAll(async () => {
      await shared?.close();
    });

    for (const { group, title: groupTitle, register } of GROUPS) {
      if (!resolved.optOut.has(group)) describe(groupTitle, () => register(context));
    }
    // Not an opt-out group: run by the backends that declare `conditionalWrites`.
    describe('conditional writes', () => conditionalTests(context));
  });
}
