import { readFileSync } from 'node:fs';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { buildDashboard, dashboardJson } from '../dashboards/resilient-store.js';
import { METRIC } from '../src/index.js';
import { dashboardExpressions } from './dashboard-queries.js';

const file = new URL('../dashboards/resilient-store.json', import.meta.url);
const rulesFile = new URL('../alerts/resilient-store.rules.yml', import.meta.url);

/** A metric name as written in PromQL: a histogram's series carry a suffix. */
function known(name: string): boolean {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return (Object.values(METRIC) as string[]).some((m) => m === name || m === base);
}

describe('Grafana dashboard', () => {
  it('resilient-store.json is what the dashboard code builds', () => {
    // Compared as data: the file is formatted by the repository's formatter.
    expect(
      JSON.parse(readFileSync(file, 'utf8')),
      'out of date: run `pnpm --filter @resilient-store/prometheus run dashboard`',
    ).toEqual(JSON.parse(dashboardJson()));
  });

  it('has a datasource variable, a store variable and failover and recovery annotations', () => {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
    const variables = dashboard.templating?.list ?? [];
    expect(variables.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['store', 'query'],
    ]);
    expect(dashboard.annotations?.list?.map((a) => a.name)).toEqual([
      'Failovers',
      'Recoveries',
      'Journal overflows',
    ]);
    const rows = (dashboard.panels ?? []).filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual([
      'Traffic',
      'Latency',
      'Backends',
      'Failovers and recoveries',
      'Recovery journal',
    ]);
  });

  it('queries only metrics the package exports, through the chosen datasource and store', () => {
    const dashboard = buildDashboard();
    const exprs = dashboardExpressions(dashboard);
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/resilient_store_\w+/g)) {
        expect(known(name), `${name} in ${expr}`).toBe(true);
      }
      expect(expr, 'every selector is limited to the chosen stores').not.toMatch(
        /resilient_store_\w+(?!\{store=~"\$store")[^\w{]/,
      );
    }
    for (const panel of dashboard.panels ?? []) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax.
      if (panel.type !== 'row') expect(panel.datasource?.uid).toBe('${datasource}');
    }
  });

  it('the alert rules, too, use only exported metrics', () => {
    const rules = readFileSync(rulesFile, 'utf8');
    const names = [...rules.matchAll(/resilient_store_\w+/g)].map((m) => m[0]);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(known(name), name).toBe(true);
  });
});
