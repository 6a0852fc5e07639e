/**
 * `pnpm demo`: a ResilientStore over [redis, memory] under a steady load while its Redis
 * is killed and restarted. Prints a line per second, the store's events and log lines as
 * they happen, and a summary; exits on its own. See ../README.md for how to read it.
 *
 *   DEMO_NO_REDIS=1          run without Redis (the store gets a URL nobody listens on)
 *   DEMO_REDIS_BIN_DIR=dir   look for redis-server only in `dir`
 *   DEMO_RATE=200            requests started per second
 *   DEMO_KILL_AT=10, DEMO_OUTAGE_SECONDS=10, DEMO_AFTER_SECONDS=15
 */
import { createStore, type ResilientStore } from '@resilient-store/core';
import { stopAllServers } from '@resilient-store/testkit';
import { ConversationBook } from './conversations.js';
import { Load } from './load.js';
import { Meter } from './meter.js';
import { RedisOutage } from './outage.js';
import { colour, elapsedS, print, say, startClock } from './output.js';
import { chooseRedis, type RedisChoice } from './redis-server.js';
import { type DemoSettings, MEMORY_ONLY_SECONDS, readSettings } from './settings.js';
import { type OutageAsSeen, watchStore } from './store-events.js';
import { demoLogger } from './store-logger.js';
import { printSummary } from './summary.js';
import { printTimelineHeader, Timeline } from './timeline.js';
import { untilOrInterrupted } from './wait.js';

function introduce(choice: RedisChoice): string {
  if (choice.kind === 'server') {
    print(
      `redis-server: private instance at ${choice.server.url} (pid ${choice.server.pid}, AOF on)`,
    );
    return choice.server.url;
  }
  print(colour.yellow('No Redis for this run:'));
  print(colour.yellow(`  ${choice.why}`));
  print(colour.yellow(`  The store is configured with redis at ${choice.deadUrl}, where nothing`));
  print(colour.yellow('  listens, and serves from its memory fallback.'));
  return choice.deadUrl;
}

async function main(): Promise<void> {
  const settings = readSettings();
  print(colour.bold('resilient-store demo: a cache that keeps working when Redis does not'));
  startClock();
  const choice = await chooseRedis(settings);
  const url = introduce(choice);
  const withRedis = choice.kind === 'server';
  print(
    withRedis
      ? `Plan: ${settings.requestsPerSecond} requests/s; kill Redis at ${settings.killAtS} s, restart it at ${settings.restartAtS} s, stop at ${settings.endAtS} s.`
      : `Plan: ${settings.requestsPerSecond} requests/s for ${MEMORY_ONLY_SECONDS} s on memory alone.`,
  );
  print();

  let store: ResilientStore | undefined;
  try {
    // The memory fallback is appended by createStore; the demo logger shows the store's log lines.
    store = await createStore({
      backends: [{ type: 'redis', url }],
      logger: demoLogger,
    });
    const seen = watchStore(store);
    const health = store.health();
    say(
      'demo',
      `store ready: backends ${health.backends.map((b) => b.name).join(', ')}; serving from ${health.active}`,
    );
    await run(store, seen, choice, settings);
  } finally {
    await store?.close();
    if (choice.kind === 'server') await choice.server.stop();
    await stopAllServers();
  }
}

async function run(
  store: ResilientStore,
  seen: OutageAsSeen,
  choice: RedisChoice,
  settings: DemoSettings,
): Promise<void> {
  const meter = new Meter(elapsedS);
  const load = new Load(store, meter, new ConversationBook(), settings.requestsPerSecond);
  const timeline = new Timeline(store, meter);
  const outage = choice.kind === 'server' ? new RedisOutage(choice.server) : undefined;
  const seconds = outage ? settings.endAtS : MEMORY_ONLY_SECONDS;

  printTimelineHeader();
  const loadStartS = elapsedS();
  load.start();
  timeline.start();
  outage?.schedule(settings.killAtS, settings.restartAtS);
  const interrupted = await untilOrInterrupted(seconds * 1000);
  if (interrupted) say('demo', 'interrupted: stopping early', colour.bold);
  timeline.stop();
  await outage?.settle();
  await load.stop();
  printSummary({ loadSeconds: elapsedS() - loadStartS, meter, seen, outage: outage?.times });
}

main().then(
  () => {
    // Everything was closed; if something still holds the process, say what and leave.
    setTimeout(() => {
      console.error(
        `demo: still open after shutdown: ${process.getActiveResourcesInfo().join(', ')}`,
      );
      process.exit(1);
    }, 3_000).unref();
  },
  (error: unknown) => {
    console.error('demo failed:', error);
    process.exitCode = 1;
  },
);
