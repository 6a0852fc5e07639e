import { memoryBackend, ResilientStore, silentLogger } from '@resilient-store/core';
import type { Registry } from 'prom-client';

/** The value of one series (labels matched exactly on the ones given), or undefined. */
export async function sample(
  registry: Registry,
  metric: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const all = await samples(registry, metric);
  const found = all.find((s) =>
    Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v),
  );
  return found?.value;
}

export interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Every sample of `metric` (a histogram's buckets, sum and count included). */
export async function samples(registry: Registry, metric: string): Promise<Sample[]> {
  const json = await registry.getMetricsAsJSON();
  const found = json.find((m) => m.name === metric);
  if (found === undefined) throw new Error(`${metric} is not registered`);
  return (
    found.values as Array<{ metricName?: string; labels: Sample['labels']; value: number }>
  ).map((v) => ({ metricName: v.metricName ?? metric, labels: v.labels, value: v.value }));
}

/** A store on two memory backends: every call served by the first. */
export function memoryStore(): ResilientStore {
  return new ResilientStore({
    backends: [memoryBackend({ name: 'primary' }), memoryBackend({ name: 'fallback' })],
    logger: silentLogger,
  });
}
