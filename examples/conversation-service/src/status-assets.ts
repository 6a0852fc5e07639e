/**
 * The files of the status page and of the demo's report: the page itself, its script,
 * the chart drawing shared by both, and uPlot (installed from npm, served as shipped;
 * no front-end build step).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const publicDir = new URL('../public/', import.meta.url);

export interface Asset {
  readonly type: string;
  readonly body: string;
}

function ownFile(name: string, type: string): Asset {
  return { type, body: readFileSync(new URL(name, publicDir), 'utf8') };
}

function uplotFile(name: string, type: string): Asset {
  return { type, body: readFileSync(require.resolve(`uplot/dist/${name}`), 'utf8') };
}

let cached: Readonly<Record<string, Asset>> | undefined;

/** Assets by the name the page asks for them, read once. */
export function statusAssets(): Readonly<Record<string, Asset>> {
  cached ??= {
    'index.html': ownFile('index.html', 'text/html; charset=utf-8'),
    'status.js': ownFile('status.js', 'text/javascript; charset=utf-8'),
    'status.css': ownFile('status.css', 'text/css; charset=utf-8'),
    'chart.js': ownFile('chart.js', 'text/javascript; charset=utf-8'),
    'uPlot.js': uplotFile('uPlot.iife.min.js', 'text/javascript; charset=utf-8'),
    'uPlot.css': uplotFile('uPlot.min.css', 'text/css; charset=utf-8'),
  };
  return cached;
}
