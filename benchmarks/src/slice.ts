/**
 * Runs one variant for a fixed slice of time with a fixed number of operations in flight:
 * `inFlight` workers, each issuing its next operation as soon as the previous one
 * answered (a closed loop, like request handlers awaiting their cache). Work still in
 * flight when the slice ends is awaited and counted, so nothing is lost or double-counted.
 */
import type { CachedValue } from './fixtures.js';
import type { Variant } from './variants.js';

export interface SliceResult {
  readonly ops: number;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  /** Gets that found nothing; must be 0 for the numbers to mean what they say. */
  readonly misses: number;
}

export async function runSlice(
  variant: Pick<Variant<string>, 'keys' | 'run'>,
  values: readonly CachedValue[],
  inFlight: number,
  sliceMs: number,
): Promise<SliceResult> {
  const { keys, run } = variant;
  let cursor = 0;
  let ops = 0;
  let misses = 0;
  const started = performance.now();
  const until = started + sliceMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const i = cursor++;
      const hit = await run(keys[i % keys.length]!, values[i % values.length]!);
      ops++;
      if (!hit) misses++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedMs = performance.now() - started;
  return { ops, elapsedMs, opsPerSec: (ops / elapsedMs) * 1000, misses };
}
