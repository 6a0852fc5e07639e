/**
 * The peer benchmark's harness, not its numbers: every library adapter writes and reads
 * through a real redis-server, and one short run (two libraries, every scenario, tiny
 * counts) writes the whole report. No timing is asserted.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '@resilient-store/testkit';
import { describe, expect, it } from 'vitest';
import { makeValues } from '../src/fixtures.js';
import { PEERS } from '../src/peers/index.js';
import { DEFAULT_OUTAGE_PLAN, SCENARIOS } from '../src/peers/peer-config.js';
import { rawIoredis } from '../src/peers/raw-ioredis.js';
import { resilientStore } from '../src/peers/resilient-store.js';
import { runPeerBenchmark } from '../src/peers/run.js';

describe('peer benchmark', () => {
  it('every library adapter stores a value and reads it back, and reports a miss as undefined', async () => {
    const server = await startRedis({ mode: 'local' });
    const [value] = makeValues(1);
    try {
      for (const peer of PEERS) {
        const cache = await peer.open(server.url);
        try {
          await cache.set('smoke:one', value!);
          expect(await cache.get('smoke:one'), peer.name).toEqual(value);
          expect(await cache.get('smoke:absent'), peer.name).toBeUndefined();
        } finally {
          await cache.close();
        }
        expect(peer.library, peer.name).toMatch(/@\d+\.\d+\.\d+/);
      }
    } finally {
      await server.stop();
    }
  });

  it('one short run writes the tables, the JSON and a chart per scenario', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'peers-smoke-'));
    try {
      const report = await runPeerBenchmark({
        peers: [rawIoredis, resilientStore],
        baseline: rawIoredis,
        faultPeers: [resilientStore],
        throughput: { seconds: 1, rounds: 1 },
        outage: {
          ...DEFAULT_OUTAGE_PLAN,
          beforeMs: 200,
          faultMs: 300,
          afterMs: 400,
          workers: 4,
          hangCapMs: 1000,
        },
        scenarios: SCENARIOS,
        outDir,
        command: 'smoke',
        log: () => {},
      });

      // Both libraries, every operation and concurrency, all hits and no errors.
      expect(report.throughput.results).toHaveLength(2 * 4);
      for (const r of report.throughput.results) {
        expect(r.medianOpsPerSec, `${r.peer} ${r.operation} x${r.inFlight}`).toBeGreaterThan(0);
        expect(r.misses + r.errors, `${r.peer} ${r.operation} x${r.inFlight}`).toBe(0);
      }
      // Both libraries have a many-keys call; every key of every batch was a hit.
      expect(report.throughput.getMany.results.map((r) => r.peer)).toEqual([
        rawIoredis.name,
        resilientStore.name,
      ]);
      for (const r of report.throughput.getMany.results) {
        expect(r.keysPerSec, r.peer).toBeGreaterThan(0);
        expect(r.misses, r.peer).toBe(0);
      }
      const baseline = report.throughput.results.filter((r) => r.peer === rawIoredis.name);
      for (const r of baseline) expect(r.ratio).toBe(1);

      for (const scenario of SCENARIOS) {
        const [result] = report.scenarios[scenario] ?? [];
        expect(result?.peer, scenario).toBe(resilientStore.name);
        expect(result?.openError, scenario).toBeUndefined();
        expect(result!.phases.after.answered, scenario).toBeGreaterThan(0);
        expect(result!.timeline.length, scenario).toBeGreaterThan(0);
      }

      const markdown = await readFile(report.markdownFile, 'utf8');
      expect(markdown).toContain('## Throughput with a healthy Redis');
      expect(markdown).toContain('redis-benchmark -P 16 GET');
      for (const scenario of SCENARIOS)
        expect(markdown).toContain(`![${scenario}](${scenario}.svg)`);
      expect(markdown).toContain(resilientStore.configuration);

      const json = JSON.parse(await readFile(report.jsonFile, 'utf8')) as {
        throughput: unknown[];
        environment: { redisServer: string };
      };
      expect(json.throughput).toHaveLength(8);
      expect(json.environment.redisServer).toMatch(/^\d+\./);

      expect(report.svgFiles.map((f) => f.slice(outDir.length + 1)).sort()).toEqual([
        'kill.svg',
        'ratios.svg',
        'stall.svg',
        'startup.svg',
      ]);
      for (const file of report.svgFiles) {
        expect(await readFile(file, 'utf8'), file).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/);
      }
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
