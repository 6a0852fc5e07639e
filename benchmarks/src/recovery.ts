/**
 * `pnpm bench:recovery`: what the recovery journal costs, against a private
 * redis-server (and the testkit's fault proxy in front of it for the outages). See
 * ../README.md for how to read the output.
 *
 *   BENCH_SECONDS  approximate length of parts 1 and 2 together (default 40)
 *   BENCH_REPLAY   sizes and rounds of part 3, `keys:rounds,…` (default 10000:5,100000:3)
 *
 * Nothing here is judged: it prints medians and paired ratios.
 */
import { startFaultProxy, startRedis, stopAllServers } from '@resilient-store/testkit';
import { SLICES_PER_VARIANT, TARGET_SLICE_MS, WARM_UP_MS } from './config.js';
import { currentLoad } from './environment.js';
import { makeValues } from './fixtures.js';
import { emptyJournal, outageJournal, type RatioRow, ratioRows } from './recovery-journal.js';
import { type ReplayRow, replayRounds } from './recovery-replay.js';
import { type Column, renderTable } from './table.js';

/** The first column names the row; the others are numbers. */
const columns = (...titles: string[]): Column[] =>
  titles.map((title, i) => ({ title, align: i === 0 ? 'left' : 'right' }));

function replaySizes(): Array<{ keys: number; rounds: number }> {
  const raw = process.env.BENCH_REPLAY ?? '10000:5,100000:3';
  return raw.split(',').map((part) => {
    const [keys, rounds] = part.split(':').map(Number);
    if (!Number.isSafeInteger(keys) || !Number.isSafeInteger(rounds) || keys! < 1 || rounds! < 1) {
      throw new Error(`BENCH_REPLAY must read like 10000:5,100000:3, got ${JSON.stringify(raw)}`);
    }
    return { keys: keys!, rounds: rounds! };
  });
}

/** Rounds for `cells` cells of `variants` variants each, to fill `seconds`. */
function plan(seconds: number, cells: number, variants: number) {
  const perRoundMs = cells * variants * SLICES_PER_VARIANT * TARGET_SLICE_MS;
  const warmUp = cells * variants * WARM_UP_MS;
  const fits = Math.floor(Math.max(0, seconds * 1000 - warmUp) / perRoundMs);
  const rounds = Math.max(5, fits % 2 === 1 ? fits : fits - 1);
  return { rounds, sliceMs: TARGET_SLICE_MS, warmUpMs: WARM_UP_MS };
}

const fmt = (n: number | undefined) => (n === undefined ? '-' : Math.round(n).toLocaleString('en'));
const ratio = (r: RatioRow) =>
  `${r.ratio.toFixed(3)}  (${r.quartiles[0].toFixed(3)}-${r.quartiles[1].toFixed(3)})`;

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 40);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('BENCH_SECONDS must be > 0');
  const sizes = replaySizes();
  const server = await startRedis({ mode: 'local' });
  const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  const values = makeValues();
  try {
    console.log(`bench:recovery — load average ${currentLoad()}\n`);

    console.log('1. Healthy, journal empty: store vs the same store with the journal off');
    const empty = ratioRows(
      await emptyJournal(server.url, plan(seconds / 2, 4, 3), values),
      'store',
      'store-no-journal',
    );
    console.log(
      renderTable(
        columns(
          'row',
          'raw JSON ops/s',
          'store ops/s',
          'journal off ops/s',
          'store/journal off (middle 50%)',
        ),
        empty.map((r) => [
          r.label,
          fmt(r.opsPerSec['raw-json']),
          fmt(r.opsPerSec.store),
          fmt(r.opsPerSec['store-no-journal']),
          ratio(r),
        ]),
      ),
    );

    console.log('\n2. During an outage (memory serves), 10k keys journaled vs the journal off');
    const outage = await outageJournal(proxy, plan(seconds / 2, 4, 2), values);
    const writes = outage.writeMs.map((w) => `${Math.round(w.journal)}/${Math.round(w.off)}`);
    const firstWrite = outage.writeMs[0]!;
    const rewrites = outage.writeMs.slice(1);
    console.log(
      `   10k sets (100 in flight), ms with journal/off per pass: ${writes.join(', ')}\n` +
        `   first pass (keys recorded): ${(10_000 / (firstWrite.journal / 1000)).toFixed(0)} vs ${(10_000 / (firstWrite.off / 1000)).toFixed(0)} sets/s; ` +
        `later passes (entries replaced), median ratio journal/off time: ${median(rewrites.map((w) => w.journal / w.off)).toFixed(3)}`,
    );
    const during = ratioRows(outage.runs, 'store-journal-10k', 'store-no-journal');
    console.log(
      renderTable(
        columns('row', 'journal 10k ops/s', 'journal off ops/s', 'journal/off (middle 50%)'),
        during.map((r) => [
          r.label,
          fmt(r.opsPerSec['store-journal-10k']),
          fmt(r.opsPerSec['store-no-journal']),
          ratio(r),
        ]),
      ),
    );

    console.log('\n3. Replay into Redis vs a pipelined SET loop of as many keys (batches of 500)');
    const replays: ReplayRow[] = await replayRounds(proxy, server.url, sizes, values, (line) =>
      console.log(line),
    );
    console.log(
      renderTable(
        columns(
          'keys',
          'replay ms (median)',
          'pipelined SET ms (median)',
          'replay/SET (median of rounds)',
          'replayed keys/s',
        ),
        replays.map((r) => [
          fmt(r.keys),
          fmt(r.medianReplayMs),
          fmt(r.medianSetMs),
          r.ratio.toFixed(2),
          fmt(r.keys / (r.medianReplayMs / 1000)),
        ]),
      ),
    );
    console.log(`\nload average at the end ${currentLoad()}`);
  } finally {
    await proxy.close();
    await server.stop();
    await stopAllServers();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
