import { memoryBackend } from '@resilient-store/core';
import { describe, expect, it } from 'vitest';
import {
  CONFORMANCE_GROUPS,
  ConformanceOptionsError,
  describeBackendConformance,
} from '../../src/conformance/index.js';
import { resolveConformanceOptions } from '../../src/conformance/options.js';

const WHOLE_SECONDS_SUITE = 'memory counted as whole seconds';

// Memory honours milliseconds, so it must also pass the expiry tests scaled for a backend
// that counts whole seconds: the TTLs and waits used for Memcached, proven here.
describeBackendConformance(WHOLE_SECONDS_SUITE, () => memoryBackend(), {
  ttlResolutionMs: 1000,
  // Not a group that can be opted out of: a backend says whether it offers them.
  conditionalWrites: true,
  optOut: {
    values: 'run at millisecond resolution in memory.test.ts; only expiry depends on it',
    keys: 'run at millisecond resolution in memory.test.ts; only expiry depends on it',
    bulk: 'run at millisecond resolution in memory.test.ts; only expiry depends on it',
    clear: 'run at millisecond resolution in memory.test.ts; only expiry depends on it',
    abort: 'run at millisecond resolution in memory.test.ts; only expiry depends on it',
    lifecycle: 'run at millisecond resolution in memory.test.ts; only expiry depends on it',
  },
});

describe('conformance opt-outs', () => {
  it('register no tests for a group opted out of, and name each reason in the title', ({
    task,
  }) => {
    const suite = task.file.tasks.find((t) => t.name.startsWith(WHOLE_SECONDS_SUITE));
    expect(suite?.name).toContain('abort: run at millisecond resolution');
    const groups = suite && 'tasks' in suite ? suite.tasks.map((t) => t.name) : [];
    expect(groups).toEqual(['expiry', 'conditional writes']);
  });

  it('refuse a blank reason, at registration', () => {
    expect(() => resolveConformanceOptions({ optOut: { abort: '  ' } })).toThrow(
      ConformanceOptionsError,
    );
    expect(() => resolveConformanceOptions({ optOut: { abort: ' \n' } })).toThrow(
      /"abort" conformance tests needs a written reason/,
    );
  });

  it('refuse an empty reason at compile time, and at run time when the types are bypassed', () => {
    const register = () =>
      describeBackendConformance('never registered', () => memoryBackend(), {
        // @ts-expect-error an opt-out needs a reason
        optOut: { abort: '' },
      });
    expect(register).toThrow(ConformanceOptionsError);
  });

  it('refuse a group that does not exist, naming the groups that do', () => {
    const optOut = { expiry: 'x', nonsense: 'because' } as Record<string, string>;
    expect(() => resolveConformanceOptions({ optOut })).toThrow(
      `unknown conformance group "nonsense" in optOut; the groups are ${CONFORMANCE_GROUPS.join(', ')}`,
    );
  });

  it('keep the reasons, trimmed', () => {
    const { optOut } = resolveConformanceOptions({ optOut: { clear: ' no prefix scan ' } });
    expect([...optOut]).toEqual([['clear', 'no prefix scan']]);
  });
});

describe('ttlResolutionMs', () => {
  it('defaults to 1 ms and accepts whole milliseconds', () => {
    expect(resolveConformanceOptions({}).ttlResolutionMs).toBe(1);
    expect(resolveConformanceOptions({ ttlResolutionMs: 1000 }).ttlResolutionMs).toBe(1000);
  });

  it.each([0, -1000, 0.5, Number.NaN])('refuses %s', (ttlResolutionMs) => {
    expect(() => resolveConformanceOptions({ ttlResolutionMs })).toThrow(ConformanceOptionsError);
  });
});
