/** The full comparison: every operation x in-flight x auto-pipelining cell, interleaved. */
import { analyse } from './analysis.js';
import { type ClientPair, openPair } from './clients.js';
import {
  AUTO_PIPELINING,
  type BenchConfig,
  IN_FLIGHT,
  KEY_COUNT,
  METRICS_IN_FLIGHT,
  OPERATIONS,
  planRounds,
  SLICES_PER_VARIANT,
  WARM_UP_MS,
} from './config.js';
import { currentLoad, describeEnvironment } from './environment.js';
import { jsonBytes, makeValues } from './fixtures.js';
import { populate } from './populate.js';
import { describeSetup, renderMetricsOverhead, renderRows, warnings } from './report.js';
import { samplesOf, writeResults } from './results-file.js';
import { type Cell, runRounds } from './schedule.js';
import { variantsFor } from './variants.js';

export async function runOverhead(url: string, config: BenchConfig): Promise<void> {
  const pairs: ClientPair[] = [];
  try {
    for (const autoPipelining of AUTO_PIPELINING) pairs.push(await openPair(url, autoPipelining));
    const values = makeValues();
    // Both pairs talk to the same server, so one population serves every cell.
    await populate(pairs[0]!, values);

    const cells: Cell[] = OPERATIONS.flatMap((operation) =>
      IN_FLIGHT.flatMap((inFlight) =>
        pairs.map((pair) => ({
          operation,
          inFlight,
          pair,
          variants: variantsFor(operation, pair).filter(
            (v) => v.name !== 'store+metrics' || inFlight === METRICS_IN_FLIGHT,
          ),
        })),
      ),
    );
    const variantsPerRound = cells.reduce((n, c) => n + c.variants.length, 0);
    const { rounds, sliceMs } = planRounds(config, variantsPerRound);
    const plan = {
      rounds,
      sliceMs,
      keys: KEY_COUNT,
      valueBytes: Math.round(values.reduce((n, v) => n + jsonBytes(v), 0) / values.length),
    };
    const first = pairs[0]!;
    const environment = await describeEnvironment(first.raw, first.clientOptions);
    const described = [...variantsFor('get', first), ...variantsFor('set', first)];
    console.log(describeSetup(environment, described, plan));
    const expectedS =
      (variantsPerRound * (WARM_UP_MS + rounds * sliceMs * SLICES_PER_VARIANT)) / 1000;
    console.log(`\nRunning for about ${Math.round(expectedS)} s…`);

    const started = performance.now();
    const runs = await runRounds(cells, values, {
      rounds,
      sliceMs,
      warmUpMs: WARM_UP_MS,
      onRound: (round) => {
        // A line every few seconds is enough to see the run is alive and how loaded the machine is.
        if (round >= 0 && (round + 1) % 5 !== 0 && round + 1 !== rounds) return;
        const label = round < 0 ? 'warm-up' : `round ${round + 1}/${rounds}`;
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.log(`  ${label} done at ${seconds} s (load average ${currentLoad()})`);
      },
    });

    const rows = runs.map(analyse);
    console.log(`\n${renderRows(rows)}\n`);
    console.log(`${renderMetricsOverhead(rows)}\n`);
    for (const line of warnings(rows)) console.log(`WARNING: ${line}`);
    const missed = rows.filter((r) => !r.pass).length;
    console.log(
      missed === 0
        ? 'All rows meet their targets.'
        : `${missed} of ${rows.length} rows miss their target (store >= 0.95x raw at 1 in flight, >= 0.92x at 100).`,
    );
    console.log(
      'Ratios come from one interleaved run; compare them, not the absolute ops/s, across machines.',
    );
    const file = await writeResults({
      finishedAt: new Date().toISOString(),
      environment: { ...environment, loadAverageAtEnd: currentLoad() },
      plan,
      rows,
      samples: samplesOf(runs),
    });
    console.log(`Results written to ${file}`);
  } finally {
    await Promise.all(pairs.map((pair) => pair.close()));
  }
}
