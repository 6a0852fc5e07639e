import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedis } from '@resilient-store/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpLoad } from '../src/http-load.js';
import { startTestService, type TestService, until } from './service-harness.js';

/** Debian's chromium, installed by scripts/bootstrap.sh. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const OUTPUT_DIR = fileURLToPath(new URL('../test-output/', import.meta.url));

let redis: RedisServer;
let running: TestService;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium, ` +
        'or run scripts/bootstrap.sh as root)',
    );
  }
  redis = await startRedis({ mode: 'local', persistence: true });
  running = await startTestService({ REDIS_URL: redis.url });
  // playwright-core adds --headless itself for a headless launch.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await redis?.stop();
});

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();

/** Resolves once the page's `testId` element reads `expected`; answers how long that took. */
async function pageShows(page: Page, testId: string, expected: string, timeoutMs: number) {
  const started = performance.now();
  // Evaluated in the page (a string, as this file is type-checked without the DOM's types).
  const shows = `document.querySelector('[data-testid="${testId}"]')?.textContent === ${JSON.stringify(expected)}`;
  await page.waitForFunction(shows, undefined, { timeout: timeoutMs, polling: 10 });
  return performance.now() - started;
}

it('shows the failover within a second of Redis being killed, and the recovery after its restart', async () => {
  const load = new HttpLoad(running.url, 50, () => {});
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  load.start();
  try {
    await page.goto(`${running.url}/`);
    await pageShows(page, 'stream', 'live', 10_000);
    await pageShows(page, 'serving', 'redis', 10_000);
    expect(await text(page, 'status')).toBe('ok');
    // A few seconds of normal service on the chart.
    await until(() => running.service.traffic.history().length >= 4, 'four seconds charted');

    const killed = performance.now();
    await redis.kill();
    await pageShows(page, 'serving', 'memory', 5_000);
    const failoverShownMs = performance.now() - killed;
    console.info(`failover shown on the page ${failoverShownMs.toFixed(0)} ms after the kill`);
    expect(failoverShownMs).toBeLessThan(1_000);
    expect(await text(page, 'status')).toBe('degraded');
    expect(await page.getByTestId('events').textContent()).toMatch(/failover redis -> memory/);
    const historyAtKill = running.service.traffic.history().length;
    await until(
      () => running.service.traffic.history().length >= historyAtKill + 3,
      'three seconds of outage charted',
    );

    await redis.restart();
    await pageShows(page, 'serving', 'redis', 20_000);
    expect(await text(page, 'status')).toBe('ok');
    expect(await page.getByTestId('events').textContent()).toMatch(/recovered redis/);
    const backends = await page.getByTestId('backends').textContent();
    expect(backends).toMatch(/redis\s*closed/);
    const historyAtRecovery = running.service.traffic.history().length;
    await until(
      () => running.service.traffic.history().length >= historyAtRecovery + 3,
      'three seconds after recovery charted',
    );
    // Let the page draw the last second it was sent.
    await pageShows(page, 'status', 'ok', 2_000);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: `${OUTPUT_DIR}status-page.png`, fullPage: true });
  } finally {
    await load.stop();
    await page.close();
  }
});
