/**
 * A lower bound of a value's encoded size, known before encoding it: a value of
 * hundreds of MiB is refused without first spending seconds and a multiple of
 * its size in memory on serializing it.
 *
 * Each UTF-16 unit of a string takes at least one byte in JSON's UTF-8 and in
 * `v8.serialize` alike, and raw bytes are stored as they are; so the sum of the
 * strings' lengths and the byte arrays' lengths found in a value never exceeds
 * its encoded size. (A custom serializer may compress: only a top-level byte
 * array, stored raw whatever the serializer, is bounded then.)
 */

/** Values looked at inside an object or array: cheap enough for every write. */
const WALK_BUDGET = 64;

/** At least this many bytes encode `value`; `structured` when strings inside count too. */
export function encodedBytesAtLeast(value: unknown, structured: boolean): number {
  if (typeof value === 'string') return structured ? value.length : 0;
  if (value instanceof Uint8Array) return value.byteLength;
  if (!structured || typeof value !== 'object' || value === null) return 0;
  const walk = { budget: WALK_BUDGET, bytes: 0 };
  try {
    addContents(value, walk);
  } catch {
    // A throwing getter or proxy: the serializer reports it; no bound is known.
    return 0;
  }
  return walk.bytes;
}

function addContents(value: object, walk: { budget: number; bytes: number }): void {
  if (ArrayBuffer.isView(value)) {
    walk.bytes += value.byteLength;
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!add(value[i], walk)) return;
    return;
  }
  // for-in, not Object.values: no array of every value is built for a large object.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!add((value as Record<string, unknown>)[key], walk)) return;
  }
}

/** Counts one item; false once the budget is spent. */
function add(item: unknown, walk: { budget: number; bytes: number }): boolean {
  if (--walk.budget < 0) return false;
  if (typeof item === 'string') walk.bytes += item.length;
  else if (typeof item === 'object' && item !== null) addContents(item, walk);
  return true;
}
