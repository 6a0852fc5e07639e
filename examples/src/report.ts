/**
 * The demo's HTML report: the status page's chart for the whole run (the service's own
 * per-second record), what happened when, and the summary. One self-contained file:
 * uPlot and the chart script are inlined, so it opens anywhere without the service.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { statusAssets } from '../conversation-service/src/status-assets.js';
import type { SecondPoint } from '../conversation-service/src/traffic.js';

export interface ReportInput {
  readonly history: readonly SecondPoint[];
  /** Stamped lines of what the demo did and what the store reported, in order. */
  readonly happenings: readonly string[];
  readonly summary: readonly string[];
}

const REPORT_DIR = new URL('../demo-output/', import.meta.url);

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Inline JSON inside a script element: `<` escaped so no string can close the element. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function writeReport({ history, happenings, summary }: ReportInput): string {
  const assets = statusAssets();
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>resilient-store demo report</title>
<style>${assets['uPlot.css']!.body}</style>
<style>${assets['status.css']!.body}</style>
</head>
<body>
<h1>resilient-store demo <span class="sub">the conversation service while Redis was killed and restarted</span></h1>
<div id="chart"></div>
<p class="note">Per second, as the service counted its API requests. Shaded: seconds in which a fallback served (amber) or no backend could (red).</p>
<h2>What happened</h2>
<pre>${escapeHtml(happenings.join('\n'))}</pre>
<h2>Summary</h2>
<pre>${escapeHtml(summary.join('\n'))}</pre>
<script>${assets['uPlot.js']!.body}</script>
<script>${assets['chart.js']!.body}</script>
<script>
window.StatusChart.create(document.getElementById('chart'), ${inlineJson(history)}, Math.max(640, window.innerWidth - 64));
</script>
</body>
</html>
`;
  mkdirSync(REPORT_DIR, { recursive: true });
  const file = new URL('report.html', REPORT_DIR);
  writeFileSync(file, html);
  return fileURLToPath(file);
}
