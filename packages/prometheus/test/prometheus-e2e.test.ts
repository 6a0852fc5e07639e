import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import { redisBackend } from '@resilient-store/redis';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDashboard } from '../dashboards/resilient-store.js';
import { instrument, METRIC } from '../src/index.js';
import { asPrometheusQuery, dashboardExpressions } from './dashboard-queries.js';
import { PrometheusServer } from './prometheus-server.js';

/**
 * The shipped rules with every `for:` cut to 5 s: long enough for polls every 250 ms to see
 * an alert pending, short enough to see it fire.
 */
const rules = readFileSync(
  new URL('../alerts/resilient-store.rules.yml', import.meta.url),
  'utf8',
).replace(/for: \d+m/g, 'for: 2s');

let redis: RedisServer;
let store: ResilientStore;
let metricsServer: Server;
let prometheus: PrometheusServer | undefined;
let load: NodeJS.Timeout | undefined;

beforeAll(async () => {
  redis = await startRedis();
  store = new ResilientStore({
    backends: [redisBackend({ url: redis.url }), memoryBackend()],
    logger: silentLogger,
  });
  const registry = new Registry();
  instrument(store, { registry, name: 'e2e' });
  await store.ready();
  metricsServer = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  const { port } = metricsServer.address() as AddressInfo;
  prometheus = await PrometheusServer.start({
    targets: [`127.0.0.1:${port}`],
    rules,
    interval: '1s',
  });
  // Steady traffic, so every scrape has fresh operations to show.
  let i = 0;
  load = setInterval(() => {
    const key = `k${i++ % 50}`;
    store.set(key, i).catch(() => {});
    store.get(key).catch(() => {});
  }, 10);
});

afterAll(async () => {
  if (load) clearInterval(load);
  await prometheus?.stop();
  await new Promise((resolve) => metricsServer?.close(resolve));
  await store?.close();
  await redis?.stop();
});

/** Polls `check` until it passes; the failure names what was awaited and Prometheus' log. */
async function until(what: string, check: () => Promise<void>, timeout = 30_000): Promise<void> {
  try {
    await vi.waitFor(check, { timeout, interval: 250 });
  } catch (error) {
    throw new Error(
      `${what}: ${(error as Error).message}\nprometheus log:\n${prometheus?.logTail()}`,
    );
  }
}

const failovers = `${METRIC.failovers}{store="e2e", from="redis", to="memory"}`;
const serving = (backend: string) => `${METRIC.servingBackend}{store="e2e", backend="${backend}"}`;

async function alertState(alertname: string): Promise<string | undefined> {
  const alerts = await prometheus!.alerts();
  return alerts.find((a) => a.labels.alertname === alertname && a.labels.store === 'e2e')?.state;
}

describe('a real Prometheus scraping a store while its Redis is killed', () => {
  it('sees the failover counter rise, the serving backend change, alerts fire, and the recovery', async () => {
    const prom = prometheus!;
    await until('Prometheus scrapes the store, served by Redis', async () => {
      expect(await prom.value(serving('redis'))).toBe(1);
      expect(await prom.value(failovers)).toBe(0);
    });
    expect(await alertState('ResilientStoreServingLastResort')).toBeUndefined();

    await redis.kill();

    await until('the failover counter rises and memory serves', async () => {
      expect(await prom.value(failovers)).toBe(1);
      expect(await prom.value(serving('memory'))).toBe(1);
      expect(await prom.value(serving('redis'))).toBe(0);
      expect(await prom.value(`${METRIC.backendAvailable}{store="e2e", backend="redis"}`)).toBe(0);
    });
    // Operations kept being answered (by memory) while Redis was passed over.
    await until('operations on memory and skips of Redis are counted', async () => {
      const onMemory = `sum(${METRIC.operations}{store="e2e", backend="memory", outcome=~"hit|miss|ok"})`;
      expect(await prom.value(onMemory)).toBeGreaterThan(0);
      const skipped = `sum(${METRIC.operations}{store="e2e", backend="redis", outcome="skipped"})`;
      expect(await prom.value(skipped)).toBeGreaterThan(0);
    });

    // The steady load writes keys k0…k49: Redis misses every one of them.
    await until('the recovery journal of Redis names every key written since', async () => {
      expect(await prom.value(`${METRIC.journalKeys}{store="e2e", backend="redis"}`)).toBe(50);
      expect(await prom.value(`${METRIC.journalOverflowed}{store="e2e", backend="redis"}`)).toBe(0);
    });

    const seen: Array<string | undefined> = [];
    await until('the last-resort alert goes pending, then fires', async () => {
      const state = await alertState('ResilientStoreServingLastResort');
      if (seen.at(-1) !== state) seen.push(state);
      expect(state).toBe('firing');
    });
    expect(seen.filter((s) => s !== undefined)).toEqual(['pending', 'firing']);
    await until('the backend-down alert fires for redis', async () => {
      const alerts = await prom.alerts();
      const down = alerts.find(
        (a) => a.labels.alertname === 'ResilientStoreBackendDown' && a.labels.backend === 'redis',
      );
      expect(down?.state).toBe('firing');
    });
    expect(await alertState('ResilientStoreAllBackendsFailed')).toBeUndefined();

    await redis.restart();

    await until('Redis serves again and the recovery is counted', async () => {
      expect(await prom.value(serving('redis'))).toBe(1);
      expect(await prom.value(`${METRIC.recoveries}{store="e2e", backend="redis"}`)).toBe(1);
      expect(await prom.value(`${METRIC.outageDuration}_count{store="e2e", backend="redis"}`)).toBe(
        1,
      );
    });
    await until('the journal is replayed into Redis and drains', async () => {
      const replayed = `sum(${METRIC.replayedKeys}{store="e2e", backend="redis"})`;
      expect(await prom.value(replayed)).toBeGreaterThanOrEqual(50);
      const replays = `${METRIC.replayDuration}_count{store="e2e", backend="redis"}`;
      expect(await prom.value(replays)).toBeGreaterThanOrEqual(1);
      expect(await prom.value(`${METRIC.journalKeys}{store="e2e", backend="redis"}`)).toBe(0);
    });
    await until('the last-resort alert resolves', async () => {
      expect(await alertState('ResilientStoreServingLastResort')).toBeUndefined();
    });
  }, 120_000);

  it('answers every query of the dashboard', async () => {
    for (const expr of dashboardExpressions(buildDashboard())) {
      await expect(prometheus!.query(asPrometheusQuery(expr)), expr).resolves.toBeInstanceOf(Array);
    }
  });

  it('shows the outage in the recovery journal panels', async () => {
    const dashboard = buildDashboard();
    const panel = (title: string) => {
      const found = (dashboard.panels ?? []).find((p) => p.title === title);
      const targets = (found as { targets?: Array<{ expr?: string }> } | undefined)?.targets;
      return targets?.[0]?.expr ?? '';
    };
    const size = await prometheus!.query(asPrometheusQuery(panel('Recovery journal size')));
    expect(size.map((r) => r.metric.backend).sort()).toEqual(['memory', 'redis']);
    // The replay ran seconds ago: within the panel's one-minute increase.
    const replayed = await prometheus!.query(asPrometheusQuery(panel('Replayed keys')));
    const intoRedis = replayed.filter((r) => r.metric.backend === 'redis');
    expect(intoRedis.map((r) => r.metric.result).sort()).toEqual(['deleted', 'skipped', 'written']);
    expect(intoRedis.reduce((sum, r) => sum + Number(r.value[1]), 0)).toBeGreaterThan(0);
  });
});
