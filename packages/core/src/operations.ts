import type { BackendEntry, StoredValue } from './backend.js';
import type { Failover, OperationSpec } from './failover.js';

/** The store's operations on a backend, each described once per store (see `OperationSpec`). */
export interface Operations {
  readonly get: OperationSpec<string, StoredValue | null | undefined, unknown>;
  readonly getMany: OperationSpec<
    readonly string[],
    Array<StoredValue | undefined>,
    Array<unknown>
  >;
  readonly set: OperationSpec<BackendEntry, unknown, void>;
  readonly setMany: OperationSpec<readonly BackendEntry[], void, void>;
  readonly delete: OperationSpec<string, boolean, boolean>;
  readonly deleteMany: OperationSpec<readonly string[], number, number>;
}

/**
 * Reads answer a miss when every backend failed; writes reject (or resolve,
 * when the store swallows them). `decode` turns a stored value into the
 * caller's value.
 */
export function operations(
  failover: Failover,
  decode: (stored: StoredValue) => unknown,
): Operations {
  return {
    get: {
      name: 'get',
      run: (backend, key, control) => backend.get(key, control),
      covered: (journal, key) => journal.covers(key),
      settle: (result) => {
        const stored = failover.readResult('get', result);
        // `== null`: a driver's null is a miss too.
        return stored == null ? undefined : decode(stored);
      },
    },
    getMany: {
      name: 'getMany',
      run: (backend, keys) => backend.getMany(keys),
      covered: (journal, keys) => journal.coversAny(keys),
      settle: (result, keys) => {
        const stored = failover.readResult('getMany', result);
        if (stored === undefined) return keys.map(() => undefined);
        return stored.map((value) => (value == null ? undefined : decode(value)));
      },
    },
    set: {
      name: 'set',
      run: (backend, entry, control) => backend.set(entry.key, entry.value, entry.ttlMs, control),
      covered: (journal, entry) => journal.covers(entry.key),
      writes: (entry, note) => note(entry.key, entry.value, entry.ttlMs),
      settle: (result) => {
        failover.writeResult('set', result);
      },
    },
    setMany: {
      name: 'setMany',
      run: (backend, entries) => backend.setMany(entries),
      covered: (journal, entries) => entries.some((e) => journal.covers(e.key)),
      writes: (entries, note) => {
        for (const e of entries) note(e.key, e.value, e.ttlMs);
      },
      settle: (result) => {
        failover.writeResult('setMany', result);
      },
    },
    delete: {
      name: 'delete',
      run: (backend, key) => backend.delete(key),
      covered: (journal, key) => journal.covers(key),
      writes: (key, note) => note(key, undefined, undefined),
      settle: (result) => failover.writeResult('delete', result) ?? false,
    },
    deleteMany: {
      name: 'deleteMany',
      run: (backend, keys) => backend.deleteMany(keys),
      covered: (journal, keys) => journal.coversAny(keys),
      writes: (keys, note) => {
        for (const key of keys) note(key, undefined, undefined);
      },
      settle: (result) => failover.writeResult('deleteMany', result) ?? 0,
    },
  };
}
