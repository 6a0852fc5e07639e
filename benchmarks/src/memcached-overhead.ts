/**
 * `pnpm --filter @resilient-store/benchmarks bench:memcached`: the overhead of a
 * ResilientStore over its Memcached backend, against raw memjs with the same settings
 * (see memcached-pair.ts), at 1 and 100 in flight, interleaved as `pnpm bench` does for
 * Redis (same rounds, slices and analysis). BENCH_SECONDS and BENCH_ROUNDS apply. The
 * `auto-pipe` column reads `off`: memjs has no auto-pipelining.
 */
import { createRequire } from 'node:module';
import { startMemcached, stopAllServers } from '@resilient-store/testkit';
import { analyse } from './analysis.js';
import {
  IN_FLIGHT,
  KEY_COUNT,
  OPERATIONS,
  planRounds,
  readConfig,
  SLICES_PER_VARIANT,
  WARM_UP_MS,
} from './config.js';
import { currentLoad } from './environment.js';
import { jsonBytes, makeValues } from './fixtures.js';
import {
  memcachedVariants,
  openMemcachedPair,
  populateMemcached,
  RAW_MEMJS_OPTIONS,
} from './memcached-pair.js';
import { renderRows, warnings } from './report.js';
import { type Cell, runRounds } from './schedule.js';

async function main(): Promise<void> {
  const config = readConfig();
  // A private local server: a shared one would add neighbours that have nothing to do with the store.
  const server = await startMemcached({ mode: 'local' });
  const pair = await openMemcachedPair(server.url);
  try {
    const values = makeValues();
    await populateMemcached(pair, values);
    const cells: Cell[] = OPERATIONS.flatMap((operation) =>
      IN_FLIGHT.map((inFlight) => ({
        operation,
        inFlight,
        pair,
        variants: memcachedVariants(operation, pair),
      })),
    );
    const variantsPerRound = cells.reduce((n, c) => n + c.variants.length, 0);
    const { rounds, sliceMs } = planRounds(config, variantsPerRound);
    const valueBytes = Math.round(values.reduce((n, v) => n + jsonBytes(v), 0) / values.length);
    const { version } = createRequire(import.meta.url)('memjs/package.json') as {
      version: string;
    };
    const { logger: _silent, ...options } = RAW_MEMJS_OPTIONS;
    console.log('resilient-store overhead over Memcached (raw memjs with the backend’s settings)');
    console.log(
      `  node ${process.version}, memjs ${version}, ${KEY_COUNT} keys per keyspace, all hits, values ~${valueBytes} bytes of JSON, load ${currentLoad()}`,
    );
    console.log(`  raw memjs options: ${JSON.stringify(options)}`);
    for (const v of [
      ...memcachedVariants('get', pair),
      ...memcachedVariants('set', pair).filter((v) => v.name !== 'store'),
    ]) {
      console.log(`      ${v.name.padEnd(11)} ${v.describes}`);
    }
    const expectedS =
      (variantsPerRound * (WARM_UP_MS + rounds * sliceMs * SLICES_PER_VARIANT)) / 1000;
    console.log(`\n${rounds} rounds of ${sliceMs} ms slices; about ${Math.round(expectedS)} s…`);
    const runs = await runRounds(cells, values, { rounds, sliceMs, warmUpMs: WARM_UP_MS });
    const rows = runs.map(analyse);
    console.log(`\n${renderRows(rows)}\n`);
    for (const line of warnings(rows)) console.log(`WARNING: ${line}`);
    console.log(`load average at the end: ${currentLoad()}`);
  } finally {
    await pair.close();
    await server.stop();
    await stopAllServers();
  }
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
