import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  InvalidKeyError,
  memoryBackend,
  ResilientStore,
  silentLogger,
} from '@resilient-store/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  checkHistory,
  HistoryFormatError,
  HistoryRecorder,
  historyNow,
  mergeHistories,
  parseHistory,
} from '../../src/history/index.js';

function memoryStore(): ResilientStore {
  const store = new ResilientStore({ backends: [memoryBackend()], logger: silentLogger });
  onTestFinished(() => store.close());
  return store;
}

describe('HistoryRecorder', () => {
  it('records a store’s operations as plain data that survives JSON and checks clean', async () => {
    const store = memoryStore();
    const recorder = new HistoryRecorder('p1');
    await recorder.set(store, 'a');
    expect(await recorder.get(store, 'a')).toEqual({ k: 'a', v: 1, p: 'p1' });
    await recorder.set(store, 'a');
    await recorder.delete(store, 'a');
    expect(await recorder.get(store, 'a')).toBeUndefined();
    const convergedAfter = historyNow();
    await recorder.get(store, 'a');

    const history = recorder.history();
    expect(history.ops.map((op) => [op.kind, op.version, op.outcome])).toEqual([
      ['set', 'p1:1', 'ok'],
      ['read', 'p1:1', 'ok'],
      ['set', 'p1:2', 'ok'],
      ['delete', 'p1:3', 'ok'],
      ['read', null, 'ok'],
      ['read', null, 'ok'],
    ]);
    for (const op of history.ops) expect(op.completedAt).toBeGreaterThanOrEqual(op.invokedAt);

    const copy = parseHistory(JSON.parse(JSON.stringify(history)));
    expect(copy).toEqual(history);
    const report = checkHistory(copy, { convergedAfter });
    expect(report).toMatchObject({ violations: [], reads: 3, writes: 3 });
  });

  it('records a rejected call as an error and rethrows it', async () => {
    const store = memoryStore();
    const recorder = new HistoryRecorder('p1');
    await expect(recorder.get(store, '')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(recorder.set(store, '')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(recorder.history().ops).toEqual([
      expect.objectContaining({
        kind: 'read',
        outcome: 'error',
        version: null,
        error: expect.stringContaining('InvalidKeyError'),
      }),
      expect.objectContaining({ kind: 'set', outcome: 'error', version: 'p1:1' }),
    ]);
  });

  it('marks an answer that is not one of the history’s values', async () => {
    const store = memoryStore();
    const recorder = new HistoryRecorder('p1');
    await store.set('plain', 'not a history value');
    await store.set('b', { k: 'a', v: 7, p: 'p2' });
    await recorder.get(store, 'plain');
    await recorder.get(store, 'b');
    expect(recorder.history().ops.map((op) => [op.version, op.anomaly])).toEqual([
      [null, 'malformed'],
      ['p2:7', 'foreign'],
    ]);
  });
});

describe('parseHistory', () => {
  const good = {
    process: 'p1',
    kind: 'set',
    key: 'a',
    invokedAt: 1,
    completedAt: 2,
    outcome: 'ok',
    version: 'p1:1',
  };

  it.each([
    ['not an object', 'history', /an object with an "ops" array/],
    ['no ops', {}, /an object with an "ops" array/],
    ['a bad kind', { ops: [{ ...good, kind: 'put' }] }, /operation 0 .*"kind" is "put"/],
    [
      'a write without a version',
      { ops: [good, { ...good, version: null }] },
      /operation 1 .*without a version/,
    ],
    ['times out of order', { ops: [{ ...good, completedAt: 0 }] }, /completed before invoked/],
    ['a missing time', { ops: [{ ...good, invokedAt: undefined }] }, /finite numbers/],
  ])('refuses %s', (_name, data, message) => {
    expect(() => parseHistory(data)).toThrow(HistoryFormatError);
    expect(() => parseHistory(data)).toThrow(message);
  });
});

describe('histories of several processes', () => {
  /** The next message from `child`, failing if it exits first. */
  async function reply(child: ChildProcess): Promise<unknown> {
    const [message] = await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`the child process exited (${String(code)}) before answering`);
      }),
    ]);
    return message;
  }

  it('merge into one, checked together: two processes that do not share a store never converge', async () => {
    const child = fork(fileURLToPath(new URL('./fixtures/child-process.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill();
    });
    const store = memoryStore();
    const recorder = new HistoryRecorder('parent');

    child.send('write');
    expect(await reply(child)).toBe('written');
    // Acknowledged after the child's write: the newest acknowledged write of the key.
    await recorder.set(store, 'shared');
    const convergedAfter = historyNow();
    await recorder.get(store, 'shared');
    child.send('read');
    const { history } = (await reply(child)) as { history: unknown };

    const merged = mergeHistories(recorder.history(), parseHistory(history));
    expect(new Set(merged.ops.map((op) => op.process))).toEqual(new Set(['parent', 'child']));
    const report = checkHistory(merged, { convergedAfter });
    // Each process reads its own writes and never goes backwards; together they diverge.
    expect(report.counts).toEqual({
      'read-your-writes': 0,
      'monotonic-reads': 0,
      convergence: 2,
      values: 0,
    });
    expect(report.violations.map((v) => [v.kind, v.process])).toEqual([
      ['stale', 'child'],
      ['diverged', 'parent'],
    ]);
  }, 20_000);
});
