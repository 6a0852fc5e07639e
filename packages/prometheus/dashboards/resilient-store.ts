/**
 * The "Resilient store" Grafana dashboard, built with Grafana's foundation SDK from the
 * metric names the package exports. `pnpm --filter @resilient-store/prometheus run dashboard`
 * writes it to resilient-store.json; a test fails when the file and this code disagree.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DatasourceVariableBuilder,
  MappingType,
  type Panel,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { METRIC } from '../src/names.js';

export const DASHBOARD_UID = 'resilient-store';

/** Every query goes to the datasource picked in the `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax.
const datasource = { type: 'prometheus', uid: '${datasource}' };
const inStore = 'store=~"$store"';

function query(expr: string, legend: string, refId = 'A'): DataqueryBuilder {
  return new DataqueryBuilder().datasource(datasource).expr(expr).legendFormat(legend).refId(refId);
}

function timeSeries(title: string, unit: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .datasource(datasource)
    .unit(unit)
    .height(8)
    .span(12);
}

function stateTimeline(title: string): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder().title(title).datasource(datasource).height(6).span(12);
}

const answered = `outcome=~"hit|miss|ok"`;

const traffic: Array<cog.Builder<Panel>> = [
  timeSeries('Request rate by operation', 'reqps')
    .description('Operations answered per second (any backend), and those no backend could serve.')
    .withTarget(
      query(
        `sum by (operation) (rate(${METRIC.operations}{${inStore}, ${answered}}[$__rate_interval]))`,
        '{{operation}}',
      ),
    )
    .withTarget(
      query(
        `sum (rate(${METRIC.allFailed}{${inStore}}[$__rate_interval]))`,
        'every backend failed',
        'B',
      ),
    ),
  timeSeries('Hit ratio (get)', 'percentunit')
    .description('Share of gets that found a value.')
    .min(0)
    .max(1)
    .withTarget(
      query(
        `sum (rate(${METRIC.operations}{${inStore}, operation="get", outcome="hit"}[$__rate_interval])) / sum (rate(${METRIC.operations}{${inStore}, operation="get", outcome=~"hit|miss"}[$__rate_interval]))`,
        'hit ratio',
      ),
    ),
];

const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (backend, le) (rate(${METRIC.operationDuration}_bucket{${inStore}}[$__rate_interval])))`;

const latency: Array<cog.Builder<Panel>> = [
  timeSeries('Latency by backend (p50, p99)', 's')
    .description(
      'Operation duration by the backend that answered, failover included ("none": every backend failed).',
    )
    .withTarget(query(quantile(0.5), 'p50 {{backend}}'))
    .withTarget(query(quantile(0.99), 'p99 {{backend}}', 'B')),
  timeSeries('Calls by backend and outcome', 'reqps')
    .description(
      'hit/miss/ok: answered; error/timeout: failed, the store moved on; skipped: passed over.',
    )
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal).group('A'))
    .withTarget(
      query(
        `sum by (backend, outcome) (rate(${METRIC.operations}{${inStore}}[$__rate_interval]))`,
        '{{backend}} {{outcome}}',
      ),
    ),
];

const backends: Array<cog.Builder<Panel>> = [
  stateTimeline('Serving backend')
    .description('Which backend serves now.')
    .mappings([
      {
        type: MappingType.ValueToText,
        options: {
          '0': { text: 'standby', color: 'transparent' },
          '1': { text: 'serving', color: 'green' },
        },
      },
    ])
    .withTarget(query(`max by (backend) (${METRIC.servingBackend}{${inStore}})`, '{{backend}}')),
  stateTimeline('Breaker states')
    .description(
      "Each backend's circuit breaker: closed (takes traffic), half_open (one probe), open.",
    )
    .mappings([
      {
        type: MappingType.ValueToText,
        options: {
          '0': { text: 'closed', color: 'green' },
          '1': { text: 'half_open', color: 'yellow' },
          '2': { text: 'open', color: 'red' },
        },
      },
    ])
    .withTarget(
      query(
        `max by (backend) (${METRIC.breakerState}{${inStore}, state="open"}) * 2 + max by (backend) (${METRIC.breakerState}{${inStore}, state="half_open"})`,
        '{{backend}}',
      ),
    ),
  stateTimeline('Backend available')
    .description('1: connected and its breaker closed.')
    .mappings([
      {
        type: MappingType.ValueToText,
        options: { '0': { text: 'out', color: 'red' }, '1': { text: 'available', color: 'green' } },
      },
    ])
    .withTarget(query(`min by (backend) (${METRIC.backendAvailable}{${inStore}})`, '{{backend}}')),
  new stat.PanelBuilder()
    .title('On last resort')
    .description('1 while the last backend of the chain serves: every backend before it is out.')
    .datasource(datasource)
    .height(6)
    .span(12)
    .withTarget(query(`max (${METRIC.servingLastResort}{${inStore}})`, 'last resort')),
];

const outages: Array<cog.Builder<Panel>> = [
  timeSeries('Failovers and recoveries', 'short')
    .description('Per interval; also shown as annotations on every panel.')
    .withTarget(
      query(
        `sum by (from, to) (increase(${METRIC.failovers}{${inStore}}[$__rate_interval]))`,
        'failover {{from}} → {{to}}',
      ),
    )
    .withTarget(
      query(
        `sum by (backend) (increase(${METRIC.recoveries}{${inStore}}[$__rate_interval]))`,
        'recovered {{backend}}',
        'B',
      ),
    ),
  timeSeries('Outage duration (finished outages)', 's')
    .description('Mean length of the outages that ended in the last hour, by backend.')
    .withTarget(
      query(
        `sum by (backend) (increase(${METRIC.outageDuration}_sum{${inStore}}[1h])) / sum by (backend) (increase(${METRIC.outageDuration}_count{${inStore}}[1h]))`,
        'mean {{backend}}',
      ),
    ),
];

const recovery: Array<cog.Builder<Panel>> = [
  timeSeries('Recovery journal size', 'short')
    .description(
      'Keys each backend missed while passed over, waiting to be replayed into it (all instances). It grows during an outage and drains when the backend recovers; 0 after an overflow, shown beside it.',
    )
    .withTarget(query(`sum by (backend) (${METRIC.journalKeys}{${inStore}})`, '{{backend}}')),
  stateTimeline('Journal overflowed')
    .description(
      'A journal that passed recovery.maxJournalKeys no longer names the keys: on recovery the namespace is cleared on that backend (onOverflow: clear) or it may serve older values (accept-stale).',
    )
    .mappings([
      {
        type: MappingType.ValueToText,
        options: {
          '0': { text: 'ok', color: 'green' },
          '1': { text: 'overflowed', color: 'red' },
        },
      },
    ])
    .withTarget(query(`max by (backend) (${METRIC.journalOverflowed}{${inStore}})`, '{{backend}}')),
  timeSeries('Replayed keys', 'short')
    .description(
      'Keys replayed into recovered backends per interval: written back, deleted, or skipped (the backend held a newer value).',
    )
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal).group('A'))
    .withTarget(
      query(
        `sum by (backend, result) (increase(${METRIC.replayedKeys}{${inStore}}[$__rate_interval]))`,
        '{{backend}} {{result}}',
      ),
    ),
  timeSeries('Replay duration', 's')
    .description('Mean and 99th percentile of the replays of the last hour, by backend.')
    .withTarget(
      query(
        `sum by (backend) (increase(${METRIC.replayDuration}_sum{${inStore}}[1h])) / sum by (backend) (increase(${METRIC.replayDuration}_count{${inStore}}[1h]))`,
        'mean {{backend}}',
      ),
    )
    .withTarget(
      query(
        `histogram_quantile(0.99, sum by (backend, le) (increase(${METRIC.replayDuration}_bucket{${inStore}}[1h])))`,
        'p99 {{backend}}',
        'B',
      ),
    ),
];

function annotation(
  name: string,
  color: string,
  expr: string,
  title: string,
): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name(name)
    .datasource(datasource)
    .enable(true)
    .iconColor(color)
    .expr(expr)
    .step('15s')
    .titleFormat(title)
    .tagKeys('store');
}

export function buildDashboard(): Dashboard {
  const builder = new DashboardBuilder('Resilient store')
    .uid(DASHBOARD_UID)
    .description(
      'A resilient-store: traffic, latency per backend, who serves, breakers, failovers, recovery journals.',
    )
    .tags(['resilient-store', 'cache'])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    )
    .withVariable(
      new QueryVariableBuilder('store')
        .label('Store')
        .datasource(datasource)
        .query(`label_values(${METRIC.servingBackend}, store)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true),
    )
    .annotation(
      annotation(
        'Failovers',
        'red',
        `sum by (store, from, to) (increase(${METRIC.failovers}{${inStore}}[1m])) > 0`,
        'failover {{from}} → {{to}}',
      ),
    )
    .annotation(
      annotation(
        'Recoveries',
        'green',
        `sum by (store, backend) (increase(${METRIC.recoveries}{${inStore}}[1m])) > 0`,
        'recovered {{backend}}',
      ),
    )
    .annotation(
      annotation(
        'Journal overflows',
        'orange',
        `sum by (store, backend) (increase(${METRIC.journalOverflows}{${inStore}}[1m])) > 0`,
        'journal of {{backend}} overflowed',
      ),
    );
  const rows: Array<[string, Array<cog.Builder<Panel>>]> = [
    ['Traffic', traffic],
    ['Latency', latency],
    ['Backends', backends],
    ['Failovers and recoveries', outages],
    ['Recovery journal', recovery],
  ];
  for (const [title, panels] of rows) {
    builder.withRow(new RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  return builder.build();
}

/** The JSON written to resilient-store.json (what Grafana imports). */
export function dashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}
