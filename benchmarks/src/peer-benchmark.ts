/**
 * `pnpm bench:peers`: resilient-store against bentocache, cache-manager and cacheable (and
 * raw ioredis as the baseline), on throughput with a healthy Redis and on what callers see
 * when Redis hangs, dies or is missing at startup. See ../README.md ("Against other
 * libraries"). Writes benchmarks/results/peers/.
 *
 *   PEERS_THROUGHPUT_SECONDS  length of the throughput rounds (default 150)
 *   PEERS_ROUNDS              measured throughput rounds (default: as many as fit)
 *   PEERS_FAULT_MS            length of each stall and outage (default 5000)
 *   PEERS_REPORT_ONLY=1       measure nothing: rewrite the report and charts from the
 *                             last results.json, recomputing what is derived from its
 *                             samples (when each library was back on Redis)
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAllServers } from '@resilient-store/testkit';
import { BASELINE, PEERS } from './peers/index.js';
import { outagePlanFromEnv, SCENARIOS, throughputPlanFromEnv } from './peers/peer-config.js';
import { rawIoredisPipelined } from './peers/raw-ioredis.js';
import { type PeerReportDocument, runPeerBenchmark, writeReport } from './peers/run.js';
import { judgeReturn } from './peers/scenarios.js';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'peers');

/** The report of the last run again, from its own samples, by the current rules. */
async function rewriteReport(): Promise<void> {
  const doc = JSON.parse(
    await readFile(join(OUT_DIR, 'results.json'), 'utf8'),
  ) as PeerReportDocument;
  const scenarios = Object.fromEntries(
    Object.entries(doc.scenarios).map(([name, list]) => [
      name,
      list.map((r) => ({
        ...r,
        ...judgeReturn(r.redisTraffic, r.window, r.window.endMs + doc.plans.outage.afterMs),
      })),
    ]),
  );
  const files = await writeReport(OUT_DIR, { ...doc, scenarios });
  console.log(`Report rewritten: ${files.markdownFile}`);
}

async function main(): Promise<void> {
  if (process.env.PEERS_REPORT_ONLY === '1') return rewriteReport();
  try {
    await runPeerBenchmark({
      peers: PEERS,
      baseline: BASELINE,
      // Auto-pipelining changes throughput, not what a caller sees in an outage.
      faultPeers: PEERS.filter((p) => p !== rawIoredisPipelined),
      throughput: throughputPlanFromEnv(),
      outage: outagePlanFromEnv(),
      scenarios: SCENARIOS,
      outDir: OUT_DIR,
      command: 'pnpm bench:peers',
      log: (line) => console.log(line),
    });
  } finally {
    await stopAllServers();
  }
}

main().then(
  // Some libraries keep reconnect timers alive after disconnect; the run is over.
  () => process.exit(0),
  (error: unknown) => {
    console.error('peer benchmark failed:', error);
    process.exit(1);
  },
);
