/**
 * `pnpm demo`: the conversation service, started in this process over [redis, memory],
 * under a steady HTTP load while its Redis is killed and restarted. Prints the status
 * page's address, a line per second, the store's events and log lines as they happen,
 * a summary, and the path of an HTML report; exits on its own. See ../README.md.
 *
 *   DEMO_NO_REDIS=1          run without Redis (the store gets a URL nobody listens on)
 *   DEMO_REDIS_BIN_DIR=dir   look for redis-server only in `dir`
 *   DEMO_RATE=100            HTTP requests started per second
 *   DEMO_KILL_AT=10, DEMO_OUTAGE_SECONDS=10, DEMO_AFTER_SECONDS=15, DEMO_PORT=3000
 */
import { stopAllServers } from '@resilient-store/testkit';
import { readConfig } from '../conversation-service/src/config.js';
import { buildService, type Service } from '../conversation-service/src/service.js';
import { HttpLoad } from './http-load.js';
import { Meter } from './meter.js';
import { RedisOutage } from './outage.js';
import { colour, elapsedS, print, saidSoFar, say, startClock } from './output.js';
import { chooseRedis, type RedisChoice } from './redis-server.js';
import { writeReport } from './report.js';
import { type DemoSettings, MEMORY_ONLY_SECONDS, readSettings } from './settings.js';
import { type OutageAsSeen, watchStore } from './store-events.js';
import { demoLogger } from './store-logger.js';
import { printSummary, summaryLines } from './summary.js';
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
  print(colour.yellow(`  The service is configured with REDIS_URL=${choice.deadUrl}, where`));
  print(colour.yellow('  nothing listens, and its store serves from the memory fallback.'));
  return choice.deadUrl;
}

/** The service on the demo's port, or on any free port when that one is taken. */
async function startService(redisUrl: string, settings: DemoSettings): Promise<Service> {
  for (const port of [settings.port, 0]) {
    const config = readConfig({ ...process.env, REDIS_URL: redisUrl, PORT: String(port) });
    const service = await buildService({
      config: { ...config, host: '127.0.0.1', backends: [{ type: 'redis', url: redisUrl }] },
      logger: demoLogger(),
    });
    try {
      await service.listen();
      return service;
    } catch (error) {
      await service.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    }
  }
  throw new Error('unreachable: port 0 always binds or throws');
}

async function main(): Promise<void> {
  const settings = readSettings();
  print(
    colour.bold(
      'resilient-store demo: a conversation service that keeps working when Redis does not',
    ),
  );
  startClock();
  const choice = await chooseRedis(settings);
  const redisUrl = introduce(choice);
  const withRedis = choice.kind === 'server';
  let service: Service | undefined;
  try {
    service = await startService(redisUrl, settings);
    print(colour.bold(`Status page (live chart): ${service.url}/`));
    print(
      withRedis
        ? `Plan: ${settings.requestsPerSecond} requests/s; kill Redis at ${settings.killAtS} s, restart it at ${settings.restartAtS} s, stop at ${settings.endAtS} s.`
        : `Plan: ${settings.requestsPerSecond} requests/s for ${MEMORY_ONLY_SECONDS} s on memory alone.`,
    );
    print();
    const seen = watchStore(service.store);
    const health = service.store.health();
    say(
      'demo',
      `service ready: backends ${health.backends.map((b) => b.name).join(', ')}; serving from ${health.active}`,
    );
    await run(service, seen, choice, settings);
  } finally {
    await service?.close();
    if (choice.kind === 'server') await choice.server.stop();
    await stopAllServers();
  }
}

async function run(
  service: Service,
  seen: OutageAsSeen,
  choice: RedisChoice,
  settings: DemoSettings,
): Promise<void> {
  const meter = new Meter(elapsedS);
  const load = new HttpLoad(service.url!, settings.requestsPerSecond, (a) => meter.record(a));
  const timeline = new Timeline(service.store, meter);
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
  const summary = summaryLines({
    loadSeconds: elapsedS() - loadStartS,
    meter,
    seen,
    outage: outage?.times,
  });
  printSummary(summary);
  const report = writeReport({
    history: service.traffic.history(),
    happenings: saidSoFar(),
    summary,
  });
  print(`  report:   ${report}`);
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
