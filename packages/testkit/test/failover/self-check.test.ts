import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  activeResources,
  leftoverResources,
  ReadYourWritesChecker,
} from '../../src/failover/index.js';

// The failover scenarios trust these two checkers to find what they look for; each is
// shown here to flag a planted problem and to pass the legitimate cases next to it.

describe('read-your-writes checker', () => {
  /** A set of `key` running from `start` to `ack` (ms); returns its version. */
  function set(checker: ReadYourWritesChecker, key: string, start: number, ack?: number): number {
    const version = checker.writeStarted(false, start);
    if (ack !== undefined) checker.writeAcknowledged(key, version, ack);
    return version;
  }

  it('flags a value older than a write acknowledged before the read started', () => {
    const checker = new ReadYourWritesChecker();
    const v1 = set(checker, 'a', 0, 10);
    set(checker, 'a', 20, 30);
    const read = checker.readStarted('a', 40);
    expect(checker.readFinished(read, { k: 'a', v: v1 }, 41)?.kind).toBe('stale');
  });

  it('flags a value deleted before the read started', () => {
    const checker = new ReadYourWritesChecker();
    const v1 = set(checker, 'a', 0, 10);
    const del = checker.writeStarted(true, 20);
    checker.writeAcknowledged('a', del, 30);
    const read = checker.readStarted('a', 40);
    expect(checker.readFinished(read, { k: 'a', v: v1 }, 41)?.kind).toBe('resurrected');
  });

  it('admits the latest value, overlapping writes in either order, writes in flight, and misses', () => {
    const checker = new ReadYourWritesChecker();
    const v1 = set(checker, 'a', 0, 20);
    const v2 = set(checker, 'a', 10, 25); // overlaps v1: either may have landed last
    const read = checker.readStarted('a', 30);
    expect(checker.readFinished(read, { k: 'a', v: v1 }, 31)).toBeUndefined();
    expect(checker.readFinished(read, { k: 'a', v: v2 }, 31)).toBeUndefined();

    const v3 = set(checker, 'a', 40); // still in flight
    const during = checker.readStarted('a', 45);
    expect(checker.readFinished(during, { k: 'a', v: v3 }, 46)).toBeUndefined();
    // Acknowledged after the read started: the read may still see the older value.
    checker.writeAcknowledged('a', v3, 50);
    expect(checker.readFinished(during, { k: 'a', v: v2 }, 51)).toBeUndefined();
    expect(checker.readFinished(checker.readStarted('a', 60), undefined, 61)).toBeUndefined();
    expect(checker.violations).toEqual([]);
  });

  it('flags values of another key and values it never wrote', () => {
    const checker = new ReadYourWritesChecker();
    const v1 = set(checker, 'a', 0, 10);
    const read = checker.readStarted('b', 20);
    expect(checker.readFinished(read, { k: 'a', v: v1 }, 21)?.kind).toBe('foreign');
    expect(checker.readFinished(read, { k: 'b', v: 999 }, 21)?.kind).toBe('unknown-version');
    expect(checker.readFinished(read, 'garbage', 21)?.kind).toBe('malformed');
  });
});

describe('leak check', () => {
  it('reports a socket opened after the baseline until it is closed', async () => {
    const baseline = activeResources();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect(await leftoverResources(baseline, 100)).toEqual(['TCPServerWrap: +1']);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await leftoverResources(baseline, 1_000)).toEqual([]);
  });
});
