/**
 * The report's pictures: Vega-Lite specs compiled to Vega and rendered to SVG in Node by
 * vega's own headless renderer (no browser, no canvas).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { SCENARIO_TITLES } from './peer-config.js';
import type { ScenarioResult } from './scenarios.js';
import type { ThroughputResult } from './throughput.js';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Answered operations per second over time, one panel per library, the fault shaded. */
export function timelineSpec(results: readonly ScenarioResult[]): TopLevelSpec {
  const scenario = results[0]?.scenario ?? 'stall';
  // One dataset for both layers, so that faceting by library splits the shading too.
  const points = results.flatMap((r) =>
    r.timeline.map((b) => ({
      kind: 'point',
      peer: r.peer,
      seconds: b.atMs / 1000,
      answered: Math.round(b.answeredPerSec),
      errors: Math.round(b.errorsPerSec),
    })),
  );
  const windows = results.map((r) => ({
    kind: 'window',
    peer: r.peer,
    from: r.window.startMs / 1000,
    to: r.window.endMs / 1000,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: SCENARIO_TITLES[scenario],
      subtitle: 'answered operations/s (blue) and errors/s (red) per library; the fault shaded',
      anchor: 'start',
    },
    data: { values: [...windows, ...points] },
    facet: {
      row: {
        field: 'peer',
        type: 'nominal',
        sort: results.map((r) => r.peer),
        title: null,
        header: {
          labelAngle: 0,
          labelOrient: 'top',
          labelAnchor: 'start',
          labelFontWeight: 'bold',
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 640,
      height: 70,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'window'" }],
          mark: { type: 'rect', color: '#f4b183', opacity: 0.35 },
          encoding: {
            x: { field: 'from', type: 'quantitative' },
            x2: { field: 'to' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'line', interpolate: 'step-after', color: '#1f77b4' },
          encoding: {
            x: { field: 'seconds', type: 'quantitative', title: 's since the load started' },
            y: { field: 'answered', type: 'quantitative', title: null },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'point'" }],
          mark: { type: 'line', interpolate: 'step-after', color: '#d62728', strokeWidth: 1 },
          encoding: {
            x: { field: 'seconds', type: 'quantitative' },
            y: { field: 'errors', type: 'quantitative' },
          },
        },
      ],
    },
  };
}

const LOG_BASE = 0.1;

/** Throughput of every library over plain ioredis in the same rounds, per operation and concurrency. */
export function ratioSpec(results: readonly ThroughputResult[], baseline: string): TopLevelSpec {
  const bars = results.map((r) => ({
    peer: r.peer,
    cell: `${r.operation} x${r.inFlight}`,
    ratio: Number(r.ratio.toFixed(3)),
    low: Number(r.ratioQuartiles[0].toFixed(3)),
    high: Number(r.ratioQuartiles[1].toFixed(3)),
  }));
  const order = [...new Set(results.map((r) => r.peer))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Throughput over ${baseline} in the same rounds (median; whiskers: middle 50%; log scale)`,
    data: { values: bars },
    facet: { column: { field: 'cell', type: 'nominal', title: null } },
    spec: {
      width: 170,
      height: 20 * order.length,
      layer: [
        {
          mark: 'bar',
          encoding: {
            y: {
              field: 'peer',
              type: 'nominal',
              sort: order,
              title: null,
              axis: { labelLimit: 220 },
            },
            // A bar on a log scale needs a base above zero; every ratio seen is far above 0.1.
            x: {
              field: 'ratio',
              type: 'quantitative',
              scale: { type: 'log', domainMin: LOG_BASE },
              title: `x ${baseline}`,
            },
            x2: { datum: LOG_BASE },
            color: { field: 'peer', type: 'nominal', legend: null, sort: order },
          },
        },
        {
          mark: { type: 'rule', color: 'black' },
          encoding: {
            y: { field: 'peer', type: 'nominal', sort: order },
            x: { field: 'low', type: 'quantitative' },
            x2: { field: 'high' },
          },
        },
        {
          mark: { type: 'rule', color: 'gray', strokeDash: [3, 3] },
          encoding: { x: { datum: 1 } },
        },
      ],
    },
  };
}
