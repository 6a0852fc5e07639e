import {
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
  type MetricType,
} from 'prom-client';

/**
 * prom-client's typings declare a metric's `type` as a numeric enum, but at run time (and in
 * the exposition) it is the string 'histogram'.
 */
const HISTOGRAM = 'histogram' as unknown as MetricType;

/** One histogram series, observed on the hot path into plain numbers. */
export class HistogramCell {
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: readonly number[],
    readonly labels: LabelValues<string>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A prom-client histogram whose series are `HistogramCell`s: an observation is a few
 * additions instead of prom-client's per-call label hashing and validation (about half a
 * microsecond, a tenth of a cache operation at 100 in flight). The cells are read when
 * the registry is scraped, in the exposition prom-client itself produces.
 */
export class CellHistogram<L extends string> extends Histogram<L> {
  private readonly cells = new Map<string, HistogramCell>();
  private readonly bounds: readonly number[];
  private readonly metricName: string;
  private readonly help: string;

  constructor(configuration: HistogramConfiguration<L> & { buckets: number[] }) {
    super(configuration);
    this.bounds = [...configuration.buckets];
    this.metricName = configuration.name;
    this.help = configuration.help;
  }

  /** The series of `labels`, created at 0. */
  cell(labels: LabelValues<L>): HistogramCell {
    const key = JSON.stringify(labels);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = new HistogramCell(this.bounds, labels as LabelValues<string>);
      this.cells.set(key, cell);
    }
    return cell;
  }

  removeCell(labels: LabelValues<L>): void {
    this.cells.delete(JSON.stringify(labels));
  }

  /** What the registry reads for the text exposition (prom-client prefers it to `get()`). */
  getForPromString(): ReturnType<Histogram<L>['get']> {
    return this.get();
  }

  override async get(): ReturnType<Histogram<L>['get']> {
    const values: Awaited<ReturnType<Histogram<L>['get']>>['values'] = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += cell.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
        // `le` is the histogram's own label, outside the declared label names.
        const labels = { ...cell.labels, le } as LabelValues<L>;
        values.push({ metricName: `${this.metricName}_bucket`, labels, value: cumulative });
      }
      values.push({
        metricName: `${this.metricName}_sum`,
        labels: cell.labels as LabelValues<L>,
        value: cell.sum,
      });
      values.push({
        metricName: `${this.metricName}_count`,
        labels: cell.labels,
        value: cell.count,
      });
    }
    return {
      name: this.metricName,
      help: this.help,
      type: HISTOGRAM,
      aggregator: 'sum',
      // Nothing to collect: the cells are always current.
      collect: noop,
      values,
    };
  }
}

function noop(): void {}
