/**
 * Turns the samples of a cell into one report row: median throughput per variant, the
 * store/raw ratio and its verdict against the project's targets.
 *
 * The ratio is paired: in every round the store and the raw baseline ran back to back,
 * so their quotient in that round is taken under the same machine conditions, and the
 * median over rounds of those quotients is the number judged. A quotient of two medians
 * taken from different rounds would mix a quiet second on one side with a busy one on
 * the other; on a shared machine that alone moves it by 10% or more.
 */
import { TARGETS } from './config.js';
import type { CellRun, Sample } from './schedule.js';
import { median, quantile } from './stats.js';
import type { VariantName } from './variants.js';

export interface Row {
  readonly operation: string;
  readonly inFlight: number;
  readonly autoPipelining: boolean;
  /** Median ops/s per variant over the measured rounds. */
  readonly medianOpsPerSec: Partial<Record<VariantName, number>>;
  /** Median over rounds of store/raw-json in that round: the number the targets are about. */
  readonly ratio: number;
  /** Interquartile range of the per-round ratios, to show how noisy the run was. */
  readonly ratioQuartiles: [number, number];
  /** Median over rounds of store/raw-bare (gets only): the store against a bare round trip. */
  readonly ratioToBare: number | undefined;
  /** Median over rounds of store/backend: the store's own work, over the I/O it runs on. */
  readonly ratioToBackend: number | undefined;
  /** Median over rounds of instrumented store/store: what the metrics cost; rows that ran it. */
  readonly metricsRatio: number | undefined;
  readonly target: number;
  readonly pass: boolean;
  /** Gets that missed, per variant; anything but 0 is a broken run. */
  readonly misses: Partial<Record<VariantName, number>>;
  /** Store slices left out because some operations failed over to memory. */
  readonly excludedSlices: number;
}

/** A store slice counts only if every operation in it was answered by Redis. */
function valid(sample: Sample): boolean {
  return sample.storeErrors === 0;
}

/** `subject`/`baseline` per round, for the rounds whose slice of the subject is valid. */
function pairedRatios(
  run: CellRun,
  baseline: VariantName,
  subject: VariantName = 'store',
): number[] {
  const measured = run.samples.get(subject) ?? [];
  const base = run.samples.get(baseline);
  if (base === undefined) return [];
  return measured.flatMap((s) => {
    const other = base.find((b) => b.round === s.round);
    return valid(s) && other ? [s.opsPerSec / other.opsPerSec] : [];
  });
}

export function analyse(run: CellRun): Row {
  const { cell, samples } = run;
  const medianOpsPerSec: Partial<Record<VariantName, number>> = {};
  const misses: Partial<Record<VariantName, number>> = {};
  for (const [name, list] of samples) {
    const usable = name === 'store' || name === 'store+metrics' ? list.filter(valid) : list;
    medianOpsPerSec[name] = median(usable.map((s) => s.opsPerSec));
    misses[name] = list.reduce((sum, s) => sum + s.misses, 0);
  }
  const ratios = pairedRatios(run, 'raw-json');
  const ratio = median(ratios);
  const target = TARGETS[cell.inFlight] ?? 1;
  return {
    operation: cell.operation,
    inFlight: cell.inFlight,
    autoPipelining: cell.pair.autoPipelining,
    medianOpsPerSec,
    ratio,
    ratioQuartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    ratioToBare: samples.has('raw-bare') ? median(pairedRatios(run, 'raw-bare')) : undefined,
    ratioToBackend: samples.has('backend') ? median(pairedRatios(run, 'backend')) : undefined,
    metricsRatio: samples.has('store+metrics')
      ? median(pairedRatios(run, 'store', 'store+metrics'))
      : undefined,
    target,
    pass: ratio >= target,
    misses,
    excludedSlices: (samples.get('store') ?? []).filter((s) => !valid(s)).length,
  };
}
