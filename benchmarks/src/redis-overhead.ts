/**
 * `pnpm bench`: the overhead of a ResilientStore over raw ioredis, against a private
 * redis-server. See ../README.md for how to run it and how to read the output.
 *
 *   BENCH_SECONDS  approximate length of the run (default 110; profile mode: 20)
 *   BENCH_ROUNDS   measured rounds (default 7)
 *   BENCH_PROFILE  1 (or get) / set: only store.get / store.set at 100 in flight, for
 *                  `node --cpu-prof` (see the README)
 *   BENCH_PROFILE_VARIANT  store (default) / raw-json / backend: which variant profile mode runs
 *
 * A target that is missed is reported, never turned into a failing exit code: this
 * program measures, the tests judge.
 */
import { startRedis, stopAllServers } from '@resilient-store/testkit';
import { readConfig } from './config.js';
import { runOverhead } from './overhead.js';
import { runProfile } from './profile.js';

async function main(): Promise<void> {
  const config = readConfig();
  // Always a local server of our own: a container's port forwarding or a shared server
  // would add latency and neighbours that have nothing to do with the store.
  const server = await startRedis({ mode: 'local' });
  try {
    if (config.profile) {
      await runProfile(server.url, config.profile, config.seconds, config.profileVariant);
    } else await runOverhead(server.url, config);
  } finally {
    await server.stop();
    await stopAllServers();
  }
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error);
  process.exitCode = 1;
});
