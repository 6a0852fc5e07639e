import type { BackendEntry, StoredValue } from '../backend.js';
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
