/**
 * The whole peer comparison: throughput against one healthy private redis-server, then
 * every fault scenario for every library on a fresh server each, then the report (JSON,
 * Markdown, SVG charts) written to `outDir`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '@resilient-store/testkit';
import { Redis } from 'ioredis';
import { currentLoad, describeEnvironment, type Environment } from '../environment.js';
import { jsonBytes, makeValues } from '../fixtures.js';
import { ratioSpec, renderSvg, timelineSpec } from './charts.js';
import { BATCH_IN_FLIGHT, BATCH_KEYS } from './get-many.js';
import type { Peer } from './peer.js';
import type { OutagePlan, ScenarioName, ThroughputPlan } from './peer-config.js';
import {
  configurationTable,
  failureNotes,
  getManyTable,
  latencyTable,
  SCENARIO_COLUMNS_NOTE,
  scenarioHeading,
  scenarioTable,
  throughputTable,
} from './peer-report.js';
import { runScenario, type ScenarioResult } from './scenarios.js';
import { measureThroughput, type ThroughputRun } from './throughput.js';

export interface PeerBenchmarkOptions {
  readonly peers: readonly Peer[];
  readonly baseline: Peer;
  /** Libraries the fault scenarios run (default: every peer). */
  readonly faultPeers?: readonly Peer[];
  readonly throughput: ThroughputPlan;
  readonly outage: OutagePlan;
  readonly scenarios: readonly ScenarioName[];
  readonly outDir: string;
  /** The command printed in the report as the way to rerun it. */
  readonly command: string;
  readonly log: (line: string) => void;
}

export interface PeerBenchmarkReport {
  readonly markdownFile: string;
  readonly jsonFile: string;
  readonly svgFiles: string[];
  readonly throughput: ThroughputRun;
  readonly scenarios: Partial<Record<ScenarioName, ScenarioResult[]>>;
}

export async function runPeerBenchmark(
  options: PeerBenchmarkOptions,
): Promise<PeerBenchmarkReport> {
  const { peers, baseline, log } = options;
  const values = makeValues();
  const startedAt = new Date();
  const started = performance.now();

  const server = await startRedis({ mode: 'local' });
  let environment: Environment;
  let throughput: ThroughputRun;
  try {
    const probe = new Redis(server.url);
    environment = await describeEnvironment(probe, {});
    probe.disconnect();
    log(
      `node ${environment.node}, redis-server ${environment.redisServer}, ${environment.cpus} CPUs, load ${environment.loadAverage}`,
    );
    throughput = await measureThroughput(
      server.url,
      peers,
      baseline,
      values,
      options.throughput,
      log,
    );
  } finally {
    await server.stop();
  }
  log(`\n${throughputTable(throughput.results)}\n\n${getManyTable(throughput.getMany)}\n`);

  const scenarios: Partial<Record<ScenarioName, ScenarioResult[]>> = {};
  for (const scenario of options.scenarios) {
    const list: ScenarioResult[] = [];
    for (const peer of options.faultPeers ?? peers) {
      log(`${scenario}: ${peer.name} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      list.push(await runScenario(scenario, peer, options.outage, values));
    }
    scenarios[scenario] = list;
    log(`\n${scenarioHeading(scenario)}\n${scenarioTable(list)}\n`);
  }

  await mkdir(options.outDir, { recursive: true });
  const svgFiles: string[] = [];
  const writeSvg = async (name: string, svg: string) => {
    const file = join(options.outDir, name);
    await writeFile(file, svg);
    svgFiles.push(file);
  };
  await writeSvg('ratios.svg', await renderSvg(ratioSpec(throughput.results, baseline.name)));
  for (const [scenario, list] of Object.entries(scenarios)) {
    await writeSvg(`${scenario}.svg`, await renderSvg(timelineSpec(list)));
  }

  const finishedAt = new Date();
  const meta = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: `${hostname()}, ${environment.cpus} CPUs`,
    environment: { ...environment, loadAverageAtEnd: currentLoad() },
    valueBytes: Math.round(values.reduce((n, v) => n + jsonBytes(v), 0) / values.length),
    command: options.command,
  };
  const jsonFile = join(options.outDir, 'results.json');
  await writeFile(
    jsonFile,
    `${JSON.stringify(
      {
        ...meta,
        baseline: baseline.name,
        peers: peers.map(({ name, library, layers, configuration }) => ({
          name,
          library,
          layers,
          configuration,
        })),
        plans: {
          throughput: {
            ...options.throughput,
            rounds: throughput.rounds,
            sliceMs: throughput.sliceMs,
          },
          outage: options.outage,
        },
        throughput: throughput.results,
        getMany: throughput.getMany,
        scenarios,
      },
      null,
      1,
    )}\n`,
  );
  const markdownFile = join(options.outDir, 'results.md');
  await writeFile(markdownFile, markdown(options, meta, throughput, scenarios));
  log(`Report written to ${markdownFile} (JSON: ${jsonFile}; charts: ${svgFiles.length} SVG)`);
  return { markdownFile, jsonFile, svgFiles, throughput, scenarios };
}

function markdown(
  options: PeerBenchmarkOptions,
  meta: {
    startedAt: string;
    durationSeconds: number;
    machine: string;
    environment: Environment & { loadAverageAtEnd: string };
    valueBytes: number;
    command: string;
  },
  throughput: ThroughputRun,
  scenarios: Partial<Record<ScenarioName, ScenarioResult[]>>,
): string {
  const env = meta.environment;
  const block = (text: string) => `\`\`\`\n${text}\n\`\`\``;
  const warnings = throughput.results.flatMap((r) =>
    r.misses || r.errors
      ? [`- ${r.peer} ${r.operation} x${r.inFlight}: ${r.misses} misses, ${r.errors} errors`]
      : [],
  );
  const parts = [
    '# resilient-store and the libraries users pick instead',
    '',
    `Run ${meta.startedAt} on ${meta.machine} (load ${env.loadAverage} at start, ${env.loadAverageAtEnd} at end),`,
    `node ${env.node}, redis-server ${env.redisServer}, ${meta.durationSeconds} s in all. Rerun: \`${meta.command}\`.`,
    `Values are JSON objects of ~${meta.valueBytes} bytes; every library gets the same keys' values.`,
    '',
    '## What was compared',
    '',
    block(configurationTable(options.peers)),
    '',
    '## Throughput with a healthy Redis',
    '',
    `${throughput.rounds} interleaved rounds of ${throughput.sliceMs} ms slices per library and cell; ops/s are`,
    `medians over rounds; ratio is the median over rounds of the library's ops/s over ${options.baseline.name}'s in`,
    'the same round, with the middle 50% of those ratios. Rows whose gets are answered from a memory',
    'L1 do not make a Redis round trip for a hit: they are fast by design, not by a faster client.',
    '',
    block(throughputTable(throughput.results)),
    '',
    'Mean time per operation (in flight / throughput):',
    '',
    block(latencyTable(throughput.results)),
    '',
    ...(warnings.length ? ['Warnings:', '', ...warnings, ''] : []),
    '![throughput ratios](ratios.svg)',
    '',
    '## The ceiling: many keys per call',
    '',
    `Batches of ${BATCH_KEYS} keys, ${BATCH_IN_FLIGHT} batches in flight, through each library's many-keys call (median of`,
    "5 interleaved 200 ms slices), against redis-benchmark's pipelined GETs (-P 16, 50 connections) on the",
    'same server in the same run.',
    '',
    block(getManyTable(throughput.getMany)),
    '',
  ];
  for (const [scenario, list] of Object.entries(scenarios) as [ScenarioName, ScenarioResult[]][]) {
    const notes = failureNotes(list);
    parts.push(
      `## ${scenarioHeading(scenario)}`,
      '',
      `${options.outage.workers} callers in flight, ${100 - 100 / options.outage.setEvery}/${100 / options.outage.setEvery} get/set; fault of ${options.outage.faultMs} ms.`,
      '',
      block(scenarioTable(list)),
      '',
      ...(notes.length
        ? ['How libraries failed their callers:', '', ...notes.map((n) => `- ${n}`), '']
        : []),
      `![${scenario}](${scenario}.svg)`,
      '',
    );
  }
  parts.push('## Reading the fault tables', '', block(SCENARIO_COLUMNS_NOTE), '');
  return parts.join('\n');
}
