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
import { BATCH_IN_FLIGHT, BATCH_KEYS, type GetManyRun } from './get-many.js';
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
import { measureThroughput, type ThroughputResult, type ThroughputRun } from './throughput.js';

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

  const doc: PeerReportDocument = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: `${hostname()}, ${environment.cpus} CPUs`,
    environment: { ...environment, loadAverageAtEnd: currentLoad() },
    valueBytes: Math.round(values.reduce((n, v) => n + jsonBytes(v), 0) / values.length),
    command: options.command,
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
  };
  const files = await writeReport(options.outDir, doc);
  log(
    `Report written to ${files.markdownFile} (JSON: ${files.jsonFile}; charts: ${files.svgFiles.length} SVG)`,
  );
  return { ...files, throughput, scenarios };
}

/** Everything a report is made from, as written to results.json. */
export interface PeerReportDocument {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly machine: string;
  readonly environment: Environment & { readonly loadAverageAtEnd: string };
  readonly valueBytes: number;
  readonly command: string;
  readonly baseline: string;
  readonly peers: readonly Pick<Peer, 'name' | 'library' | 'layers' | 'configuration'>[];
  readonly plans: {
    readonly throughput: ThroughputPlan & { readonly sliceMs: number };
    readonly outage: OutagePlan;
  };
  readonly throughput: readonly ThroughputResult[];
  readonly getMany: GetManyRun;
  readonly scenarios: Partial<Record<ScenarioName, ScenarioResult[]>>;
}

/** Writes results.json, results.md and the SVG charts of `doc` into `outDir`. */
export async function writeReport(
  outDir: string,
  doc: PeerReportDocument,
): Promise<{ markdownFile: string; jsonFile: string; svgFiles: string[] }> {
  await mkdir(outDir, { recursive: true });
  const svgFiles: string[] = [];
  const writeSvg = async (name: string, svg: string) => {
    const file = join(outDir, name);
    await writeFile(file, svg);
    svgFiles.push(file);
  };
  await writeSvg('ratios.svg', await renderSvg(ratioSpec(doc.throughput, doc.baseline)));
  for (const [scenario, list] of Object.entries(doc.scenarios)) {
    await writeSvg(`${scenario}.svg`, await renderSvg(timelineSpec(list)));
  }
  const jsonFile = join(outDir, 'results.json');
  await writeFile(jsonFile, `${JSON.stringify(doc, null, 1)}\n`);
  const markdownFile = join(outDir, 'results.md');
  await writeFile(markdownFile, markdown(doc));
  return { markdownFile, jsonFile, svgFiles };
}

function markdown(doc: PeerReportDocument): string {
  const env = doc.environment;
  const block = (text: string) => `\`\`\`\n${text}\n\`\`\``;
  const warnings = doc.throughput.flatMap((r) =>
    r.misses || r.errors
      ? [`- ${r.peer} ${r.operation} x${r.inFlight}: ${r.misses} misses, ${r.errors} errors`]
      : [],
  );
  const parts = [
    '# resilient-store and the libraries users pick instead',
    '',
    `Run ${doc.startedAt} on ${doc.machine} (load ${env.loadAverage} at start, ${env.loadAverageAtEnd} at end),`,
    `node ${env.node}, redis-server ${env.redisServer}, ${doc.durationSeconds} s in all. Rerun: \`${doc.command}\`.`,
    `Values are JSON objects of ~${doc.valueBytes} bytes; every library gets the same keys' values.`,
    '',
    '## What was compared',
    '',
    block(configurationTable(doc.peers)),
    '',
    '## Throughput with a healthy Redis',
    '',
    `${doc.plans.throughput.rounds} interleaved rounds of ${doc.plans.throughput.sliceMs} ms slices per library and cell; ops/s are`,
    `medians over rounds; ratio is the median over rounds of the library's ops/s over ${doc.baseline}'s in`,
    'the same round, with the middle 50% of those ratios. Rows whose gets are answered from a memory',
    'L1 do not make a Redis round trip for a hit: they are fast by design, not by a faster client.',
    '',
    block(throughputTable(doc.throughput)),
    '',
    'Mean time per operation (in flight / throughput):',
    '',
    block(latencyTable(doc.throughput)),
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
    block(getManyTable(doc.getMany)),
    '',
  ];
  for (const [scenario, list] of Object.entries(doc.scenarios) as [
    ScenarioName,
    ScenarioResult[],
  ][]) {
    const notes = failureNotes(list);
    parts.push(
      `## ${scenarioHeading(scenario)}`,
      '',
      `${doc.plans.outage.workers} callers in flight, ${100 - 100 / doc.plans.outage.setEvery}/${100 / doc.plans.outage.setEvery} get/set; fault of ${doc.plans.outage.faultMs} ms.`,
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
