import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

interface WithExpr {
  expr?: unknown;
}

/** Every PromQL expression of the dashboard: panel targets, the store variable, annotations. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const exprs: string[] = [];
  for (const panel of dashboard.panels ?? []) {
    const targets = (panel as { targets?: WithExpr[] }).targets ?? [];
    for (const target of targets) if (typeof target.expr === 'string') exprs.push(target.expr);
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (typeof (annotation as WithExpr).expr === 'string')
      exprs.push((annotation as WithExpr).expr as string);
  }
  return exprs;
}

/** What Grafana substitutes before sending a query, with every store selected. */
export function asPrometheusQuery(expr: string): string {
  return expr
    .replaceAll('$store', '.*')
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h');
}
