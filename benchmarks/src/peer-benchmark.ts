/**
 * `pnpm bench:peers`: resilient-store against bentocache, cache-manager and cacheable (and
 * raw ioredis as the baseline), on throughput with a healthy Redis and on what callers see
 * when Redis hangs, dies or is missing at startup. See ../README.md ("Against other
 * libraries"). Writes benchmarks/results/peers/.
 *
 *   PEERS_THROUGHPUT_SECONDS  length of the throughput rounds (default 150)
 *   PEERS_ROUNDS              measured throughput rounds (default: as many as fit)
 *   PEERS_FAULT_MS            length of each stall and outage (default 5000)
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopAllServers } from '@resilient-store/testkit';
import { BASELINE, PEERS } from './peers/index.js';
import { outagePlanFromEnv, SCENARIOS, throughputPlanFromEnv } from './peers/peer-config.js';
import { rawIoredisPipelined } from './peers/raw-ioredis.js';
import { runPeerBenchmark } from './peers/run.js';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'peers');

async function main(): Promise<void> {
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
