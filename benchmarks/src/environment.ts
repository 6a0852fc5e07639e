/** The facts a reader needs to judge the numbers: versions, machine and its load. */
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import type { Redis } from 'ioredis';

export interface Environment {
  readonly node: string;
  readonly ioredis: string;
  readonly redisServer: string;
  readonly cpus: number;
  /** 1-minute load average when the run started; above the CPU count means a busy machine. */
  readonly loadAverage: string;
  readonly clientOptions: Record<string, unknown>;
}

export async function describeEnvironment(
  client: Redis,
  clientOptions: Record<string, unknown>,
): Promise<Environment> {
  const info = await client.info('server');
  const { version } = createRequire(import.meta.url)('ioredis/package.json') as { version: string };
  return {
    node: process.version,
    ioredis: version,
    redisServer: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    cpus: availableParallelism(),
    loadAverage: loadavg()[0]!.toFixed(2),
    clientOptions,
  };
}

export function currentLoad(): string {
  return loadavg()[0]!.toFixed(2);
}
