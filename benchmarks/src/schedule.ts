/**
 * Interleaving. A shared machine drifts (other processes, CPU frequency, GC of a growing
 * heap), so variants are never measured one after another in long blocks. Every round
 * runs every cell; within a cell each variant runs twice, in a mirrored order (A B C C B A),
 * and its two slices are added up. The mirror gives every variant the same average place
 * in the round, which cancels a steady drift and any cost of coming first (after another
 * cell) or last; the order is also rotated each round so that neighbours change. A longer
 * unmeasured round first warms up the JIT, the connections and Redis itself.
 */
import type { ClientPair } from './clients.js';
import { type Operation, SLICES_PER_VARIANT } from './config.js';
import type { CachedValue } from './fixtures.js';
import { runSlice, type SliceResult } from './slice.js';
import { rotate } from './stats.js';
import type { Variant, VariantName } from './variants.js';

/** One row of the report: an operation at one concurrency with auto-pipelining on or off. */
export interface Cell<Name extends string = VariantName> {
  readonly operation: Operation;
  readonly inFlight: number;
  /** What the rounds need of the clients compared: the store's failed attempts, and the row label. */
  readonly pair: Pick<ClientPair, 'autoPipelining' | 'storeErrors'>;
  readonly variants: readonly Variant<Name>[];
}

export interface Sample extends SliceResult {
  readonly round: number;
  /**
   * Failed Redis attempts inside the store during this sample. Non-zero means some store
   * operations were answered by the memory fallback, so the sample is not a Redis
   * measurement and is left out.
   */
  readonly storeErrors: number;
}

export interface CellRun<Name extends string = VariantName> {
  readonly cell: Cell<Name>;
  readonly samples: ReadonlyMap<Name, Sample[]>;
}

export interface RoundsOptions {
  readonly rounds: number;
  /** Length of one slice; each variant runs two per round. */
  readonly sliceMs: number;
  readonly warmUpMs: number;
  readonly onRound?: (round: number, rounds: number) => void;
}

interface Tally {
  ops: number;
  elapsedMs: number;
  misses: number;
  storeErrors: number;
}

export async function runRounds<Name extends string = VariantName>(
  cells: readonly Cell<Name>[],
  values: readonly CachedValue[],
  options: RoundsOptions,
): Promise<CellRun<Name>[]> {
  const runs = cells.map((cell) => ({
    cell,
    samples: new Map<Name, Sample[]>(cell.variants.map((v) => [v.name, []])),
  }));
  for (let round = -1; round < options.rounds; round++) {
    for (const run of runs) {
      const { cell } = run;
      const order = rotate(cell.variants, round + 1);
      const mirrored = [...order, ...[...order].reverse()];
      const tallies = new Map<Name, Tally>();
      for (const variant of mirrored) {
        const errorsBefore = cell.pair.storeErrors();
        const ms = round < 0 ? options.warmUpMs / SLICES_PER_VARIANT : options.sliceMs;
        const result = await runSlice(variant, values, cell.inFlight, ms);
        const tally = tallies.get(variant.name) ?? {
          ops: 0,
          elapsedMs: 0,
          misses: 0,
          storeErrors: 0,
        };
        tally.ops += result.ops;
        tally.elapsedMs += result.elapsedMs;
        tally.misses += result.misses;
        tally.storeErrors += cell.pair.storeErrors() - errorsBefore;
        tallies.set(variant.name, tally);
        // Let whatever the slice left behind (timers, socket events) run before the next.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Round -1 is the warm-up; its numbers are thrown away.
      if (round < 0) continue;
      for (const [name, t] of tallies) {
        run.samples.get(name)!.push({
          ...t,
          opsPerSec: (t.ops / t.elapsedMs) * 1000,
          round,
        });
      }
    }
    options.onRound?.(round, options.rounds);
  }
  return runs;
}
