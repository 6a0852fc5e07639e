import type { Backend, BackendEntry, StoredValue } from '../backend.js';
import { isTombstone } from '../values/envelope.js';
import type { OperationSpec } from './call.js';

/**
 * The store's operations on a backend, each described once (see `OperationSpec`):
 * whether it reads or writes, the backend call, and how the backend's answer
 * becomes the caller's.
 */

/** A driver's null is a miss too. */
type Read = StoredValue | null | undefined;

export const GET: OperationSpec<string, Read, unknown> = {
  name: 'get',
  kind: 'read',
  run: (backend, key, control) => backend.get(key, control),
  key: (key) => key,
  covered: (journal, key) => journal.covers(key),
  withoutSuperseded: (stored, key, superseded) =>
    stored != null && superseded.hides(key, stored) ? undefined : stored,
  answer: (stored, _key, codec) => (stored == null ? undefined : codec.decode(stored)),
  none: () => undefined,
};

/** A get that only asks whether an entry is there: its value is not decoded. */
export const HAS: OperationSpec<string, Read, boolean> = {
  name: 'get',
  kind: 'read',
  run: (backend, key, control) => backend.get(key, control),
  key: (key) => key,
  covered: (journal, key) => journal.covers(key),
  withoutSuperseded: GET.withoutSuperseded,
  answer: (stored, _key, codec) => stored != null && codec.holdsEntry(stored),
  none: () => false,
};

export const GET_MANY: OperationSpec<
  readonly string[],
  Array<StoredValue | undefined>,
  unknown[]
> = {
  name: 'getMany',
  kind: 'read',
  run: (backend, keys) => backend.getMany(keys),
  key: (keys) => (keys.length === 1 ? keys[0] : undefined),
  covered: (journal, keys) => journal.coversAny(keys),
  withoutSuperseded: (stored, keys, superseded) =>
    stored.map((value, i) =>
      value != null && superseded.hides(keys[i]!, value) ? undefined : value,
    ),
  answer: (stored, _keys, codec) =>
    stored.map((value) => (value == null ? undefined : codec.decode(value))),
  none: (keys) => keys.map(() => undefined),
};

export const SET: OperationSpec<BackendEntry, unknown, void> = {
  name: 'set',
  kind: 'write',
  run: (backend, entry, control) => backend.set(entry.key, entry.value, entry.ttlMs, control),
  key: (entry) => entry.key,
  covered: (journal, entry) => journal.covers(entry.key),
  writes: (entry, note) => note(entry.key, entry.value, entry.ttlMs),
  answer: () => undefined,
  none: () => undefined,
};

export const SET_MANY: OperationSpec<readonly BackendEntry[], void, void> = {
  name: 'setMany',
  kind: 'write',
  run: (backend, entries) => backend.setMany(entries),
  key: (entries) => (entries.length === 1 ? entries[0]!.key : undefined),
  covered: (journal, entries) => entries.some((e) => journal.covers(e.key)),
  writes: (entries, note) => {
    for (const e of entries) note(e.key, e.value, e.ttlMs);
  },
  answer: () => undefined,
  none: () => undefined,
};

export const DELETE: OperationSpec<string, boolean, boolean> = {
  name: 'delete',
  kind: 'write',
  run: (backend, key) => backend.delete(key),
  key: (key) => key,
  covered: (journal, key) => journal.covers(key),
  writes: (key, note) => note(key, undefined, undefined),
  answer: (removed) => removed,
  none: () => false,
};

export const DELETE_MANY: OperationSpec<readonly string[], number, number> = {
  name: 'deleteMany',
  kind: 'write',
  run: (backend, keys) => backend.deleteMany(keys),
  key: (keys) => (keys.length === 1 ? keys[0] : undefined),
  covered: (journal, keys) => journal.coversAny(keys),
  writes: (keys, note) => {
    for (const key of keys) note(key, undefined, undefined);
  },
  answer: (removed) => removed,
  none: () => 0,
};

/** The store's delete operations: `DELETE` and `DELETE_MANY`, or the ones leaving tombstones. */
export interface DeleteSpecs {
  readonly one: OperationSpec<string, boolean, boolean>;
  readonly many: OperationSpec<readonly string[], number, number>;
}

/**
 * Deletes that leave a tombstone (`tombstone()`, stamped now, kept `ttlMs`) on a
 * shared backend with conditional writes, as a replayed delete does: another
 * process that missed an older write of the key during its own outage replays it
 * conditionally, and the tombstone's newer stamp refuses it (plain deleted, the
 * key would come back). Reads answer a tombstone as a miss. The tombstone is a
 * plain write after a read of what was held (for the answer: was an entry
 * removed), so a live delete costs two round trips and no script. A private
 * backend, or one without conditional writes, deletes as before.
 */
export function deletesLeavingTombstones(tombstone: () => StoredValue, ttlMs: number): DeleteSpecs {
  return {
    one: {
      ...DELETE,
      run: (backend, key) =>
        leavesTombstones(backend)
          ? replaceWithTombstone(backend, key, tombstone(), ttlMs)
          : backend.delete(key),
    },
    many: {
      ...DELETE_MANY,
      run: (backend, keys) =>
        leavesTombstones(backend)
          ? replaceAllWithTombstones(backend, keys, tombstone(), ttlMs)
          : backend.deleteMany(keys),
    },
  };
}

function leavesTombstones(backend: Backend): boolean {
  return backend.conditional !== undefined && backend.capabilities.shared;
}

async function replaceWithTombstone(
  backend: Backend,
  key: string,
  tombstone: StoredValue,
  ttlMs: number,
): Promise<boolean> {
  const held = await backend.get(key);
  await backend.set(key, tombstone, ttlMs);
  return held != null && !isTombstone(held);
}

async function replaceAllWithTombstones(
  backend: Backend,
  keys: readonly string[],
  tombstone: StoredValue,
  ttlMs: number,
): Promise<number> {
  const held = await backend.getMany(keys);
  const unique = [...new Set(keys)];
  await backend.setMany(unique.map((key) => ({ key, value: tombstone, ttlMs })));
  // A key given twice is removed once, as a plain deleteMany counts it.
  const removed = new Set<string>();
  keys.forEach((key, i) => {
    const value = held[i];
    if (value != null && !isTombstone(value)) removed.add(key);
  });
  return removed.size;
}
