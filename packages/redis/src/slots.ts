import calculateSlot from 'cluster-key-slot';

/** Positions (in the caller's array) of the keys that hash to one Redis Cluster slot. */
export interface SlotGroup {
  readonly slot: number;
  readonly positions: number[];
}

/**
 * `keys` grouped by hash slot. A multi-key command in a cluster must name keys of one
 * slot only (else CROSSSLOT), so each group becomes one command; the positions let the
 * caller put answers back in the caller's order.
 */
export function groupBySlot(keys: ReadonlyArray<string | Uint8Array>): SlotGroup[] {
  const groups = new Map<number, SlotGroup>();
  keys.forEach((key, position) => {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group) group.positions.push(position);
    else groups.set(slot, { slot, positions: [position] });
  });
  return [...groups.values()];
}

/** The elements of `items` at `positions`. */
export function pick<T>(items: readonly T[], positions: readonly number[]): T[] {
  return positions.map((position) => items[position] as T);
}
