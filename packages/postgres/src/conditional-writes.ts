import {
  type ConditionalEntry,
  checkConditionalEntry,
  storedBytes,
} from '@resilient-store/core/backend';

/** One conditional write as the statement's arrays take it. */
export interface ConditionalRow {
  /** Position of the entry in the caller's batch. */
  readonly position: number;
  readonly key: Buffer;
  readonly value: Buffer;
  readonly ttl: number | null;
  readonly stamp: number;
}

/**
 * A batch of conditional writes split into statements. One upsert cannot touch a row
 * twice, so each statement holds a key at most once; rows are sorted by key bytes, so
 * concurrent batches lock rows in the same order and never deadlock each other.
 *
 * A key repeated in the batch: entry j can only be written when its stamp is above
 * every earlier entry's of that key (whatever was written, the key then holds a stamp
 * at least that high), so the others answer false without asking. The remaining ones
 * go into successive statements, each seeing what the previous wrote: the outcome of
 * applying the batch in order. Recovery sends each key once, so that is one statement.
 */
export interface ConditionalPlan {
  readonly statements: readonly (readonly ConditionalRow[])[];
  /** One answer per entry; entries in no statement stay false. */
  readonly answers: boolean[];
}

/**
 * Checks every entry (before anything is written, so bad input writes nothing) and
 * plans the statements. Throws the kit's typed errors, as `setMany` does.
 */
export function planConditionalWrites(
  entries: readonly ConditionalEntry[],
  backend: string,
  limits: { readonly maxKeyBytes: number; readonly maxValueBytes: number },
): ConditionalPlan {
  for (const entry of entries) checkConditionalEntry(entry, backend, limits);
  const statements: ConditionalRow[][] = [];
  /** Per key: the highest stamp offered so far, and how many statements it is in. */
  const seen = new Map<string, { highest: number; depth: number }>();
  entries.forEach((entry, position) => {
    const held = seen.get(entry.key);
    if (held !== undefined && entry.stamp <= held.highest) return;
    const depth = held === undefined ? 0 : held.depth;
    seen.set(entry.key, { highest: entry.stamp, depth: depth + 1 });
    if (depth === statements.length) statements.push([]);
    statements[depth]?.push({
      position,
      key: Buffer.from(entry.key, 'utf8'),
      value: storedBytes(entry.value),
      ttl: entry.ttlMs ?? null,
      stamp: entry.stamp,
    });
  });
  for (const rows of statements) rows.sort((a, b) => Buffer.compare(a.key, b.key));
  return { statements, answers: new Array<boolean>(entries.length).fill(false) };
}

/** The statement's parameters for one set of rows. */
export function conditionalParams(rows: readonly ConditionalRow[]): unknown[] {
  return [
    rows.map((r) => r.key),
    rows.map((r) => r.value),
    rows.map((r) => r.ttl),
    // Stamps are below 2^53; as strings pg sends them exactly into bigint.
    rows.map((r) => String(r.stamp)),
  ];
}

/** Marks the rows whose keys the statement returned as written. */
export function markWritten(
  rows: readonly ConditionalRow[],
  written: readonly { key: Buffer }[],
  answers: boolean[],
): void {
  const byKey = new Map<string, number>();
  for (const row of rows) byKey.set(row.key.toString('latin1'), row.position);
  for (const { key } of written) {
    const position = byKey.get(key.toString('latin1'));
    if (position !== undefined) answers[position] = true;
  }
}
