/** Writes the machine-readable results next to the package (results/ is not committed). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './analysis.js';
import type { Environment } from './environment.js';
import type { CellRun } from './schedule.js';

export const RESULTS_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'results',
  'latest.json',
);

export interface ResultsDocument {
  readonly finishedAt: string;
  readonly environment: Environment & { readonly loadAverageAtEnd: string };
  readonly plan: { rounds: number; sliceMs: number; keys: number; valueBytes: number };
  readonly rows: readonly Row[];
  readonly samples: ReadonlyArray<{
    operation: string;
    inFlight: number;
    autoPipelining: boolean;
    variant: string;
    opsPerSec: number[];
    storeErrors: number[];
  }>;
}

export function samplesOf(runs: readonly CellRun[]): ResultsDocument['samples'] {
  return runs.flatMap(({ cell, samples }) =>
    [...samples].map(([variant, list]) => ({
      operation: cell.operation,
      inFlight: cell.inFlight,
      autoPipelining: cell.pair.autoPipelining,
      variant,
      opsPerSec: list.map((s) => Math.round(s.opsPerSec)),
      storeErrors: list.map((s) => s.storeErrors),
    })),
  );
}

export async function writeResults(doc: ResultsDocument): Promise<string> {
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(doc, null, 2)}\n`);
  return RESULTS_FILE;
}
