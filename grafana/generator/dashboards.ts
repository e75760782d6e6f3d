/**
 * The aicost dashboards (the Economics one is in ./economics.ts): what each panel asks, in SQL built from ./sql.ts.
 * `node grafana/generator/generate.ts` writes them to grafana/dashboards/*.json.
 */
import { bill } from './billing.ts';
import { ECONOMICS } from './economics.ts';
import {
  type JsonObject,
  layout,
  type PanelSpec,
  stat,
  table,
  timeseries,
  units,
  VARIABLES,
} from './panels.ts';
import {
  CACHE_SAVINGS,
  COST_PER_REQUEST,
  CUSTOMER_DAILY,
  DIMENSIONS,
  FEATURE_DAILY,
  IN_CURRENT,
  IN_PREVIOUS,
  OVER_RANGE,
  OVER_RANGE_BUCKETED,
  OVER_RANGE_WITH_PREVIOUS,
  RANGE_SECONDS,
  REQUEST_BUCKET,
  REQUEST_COUNT,
  REQUEST_RANGE,
  REQUESTS,
  ROLLUP_BUCKET,
  ROLLUP_RANGE,
  ROLLUP_RANGE_WITH_PREVIOUS,
  ratio,
  rollupOver,
  SPEND,
  shown,
  spendIf,
  UNPRICED,
  where,
} from './sql.ts';
import { viewTraceLink } from './trace.ts';

const rollupWhere = where(ROLLUP_RANGE);

// Rollup rows by what the panel does with them (see rollupOver): totals over the range,
// buckets of a time series, the range next to the period before it. Panels that use no
// customer, workflow or team column read whole days from the narrow feature rollup (while the
// customer variable is All), panels by customer alone from the customer rollup (while feature,
// provider and model are All), the others from the daily rollup.
const RANGE = rollupOver(OVER_RANGE);
const FEATURE_RANGE = rollupOver({ ...OVER_RANGE, narrow: FEATURE_DAILY });
const FEATURE_RANGE_BUCKETED = rollupOver({ ...OVER_RANGE_BUCKETED, narrow: FEATURE_DAILY });
const FEATURE_RANGE_WITH_PREVIOUS = rollupOver({ ...OVER_RANGE_WITH_PREVIOUS, narrow: FEATURE_DAILY });
const CUSTOMER_RANGE = rollupOver({ ...OVER_RANGE, narrow: CUSTOMER_DAILY });
const CUSTOMER_RANGE_BUCKETED = rollupOver({ ...OVER_RANGE_BUCKETED, narrow: CUSTOMER_DAILY });
const CUSTOMER_RANGE_WITH_PREVIOUS = rollupOver({ ...OVER_RANGE_WITH_PREVIOUS, narrow: CUSTOMER_DAILY });
/** The rollup rows for a panel grouping by one column. */
const RANGE_BY: Record<string, string> = { feature: FEATURE_RANGE, customer: CUSTOMER_RANGE };
const requestWhere = where(REQUEST_RANGE);

// ---------------------------------------------------------------------------
// Queries shared by several dashboards
// ---------------------------------------------------------------------------

/** Spend of the range next to the spend of the period of the same length before it. */
const SPEND_VS_PREVIOUS = `SELECT
  if(sumIf(priced_requests, ${IN_CURRENT}) = 0, NULL, ${spendIf(IN_CURRENT)}) AS spend_usd,
  if(sumIf(priced_requests, ${IN_PREVIOUS}) = 0, NULL, ${spendIf(IN_PREVIOUS)}) AS previous_spend_usd,
  ${spendIf(IN_CURRENT)} * 86400 / ${RANGE_SECONDS} AS spend_per_day_usd,
  ${spendIf(IN_PREVIOUS)} * 86400 / ${RANGE_SECONDS} AS previous_spend_per_day_usd,
  ${ratio(`${spendIf(IN_CURRENT)} - ${spendIf(IN_PREVIOUS)}`, spendIf(IN_PREVIOUS))} AS change
FROM ${FEATURE_RANGE_WITH_PREVIOUS}
WHERE ${where(ROLLUP_RANGE_WITH_PREVIOUS)}`;

function spendBy(column: string, limit: number): string {
  const source = RANGE_BY[column] ?? RANGE;
  return `SELECT
  ${shown(column)} AS ${column},
  ${SPEND} AS spend_usd,
  ${REQUEST_COUNT} AS request_count,
  ${COST_PER_REQUEST} AS cost_per_request_usd,
  ${ratio('sum(cost_total)', `(SELECT sum(cost_total) FROM ${source} WHERE ${rollupWhere})`)} AS share_of_spend,
  sum(unpriced_requests) AS unpriced_count
FROM ${source}
WHERE ${rollupWhere}
GROUP BY ${column}
ORDER BY sum(cost_total) DESC, ${column}
LIMIT ${limit}`;
}

function spendOverTime(series: string): string {
  return `SELECT
  ${ROLLUP_BUCKET} AS time,
  ${series} AS series,
  ${SPEND} AS spend_usd
FROM ${FEATURE_RANGE_BUCKETED}
WHERE ${rollupWhere}
GROUP BY time, series
ORDER BY time, series`;
}

const MONEY_COLUMNS = {
  spend_usd: 'currencyUSD',
  previous_spend_usd: 'currencyUSD',
  cost_per_request_usd: 'currencyUSD',
  mean_cost_usd: 'currencyUSD',
  p95_cost_usd: 'currencyUSD',
  saved_usd: 'currencyUSD',
  cost_usd: 'currencyUSD',
  share_of_spend: 'percentunit',
  change: 'percentunit',
  cache_hit_ratio: 'percentunit',
  duration_s: 's',
  time_to_first_token_s: 's',
};

// ---------------------------------------------------------------------------
// Overview
// ---------------------------------------------------------------------------

const overview: PanelSpec[] = [
  stat(
    'Total spend',
    'Cost of all priced requests in the range (USD).',
    `SELECT ${SPEND} AS spend_usd\nFROM ${FEATURE_RANGE}\nWHERE ${rollupWhere}`,
    'currencyUSD',
  ),
  stat(
    'Requests',
    'Model calls in the range, priced or not.',
    `SELECT ${REQUEST_COUNT} AS request_count\nFROM ${FEATURE_RANGE}\nWHERE ${rollupWhere}`,
    'short',
  ),
  stat(
    'Cost per request',
    'Mean cost of a priced request (unpriced requests have no cost to average).',
    `SELECT ${COST_PER_REQUEST} AS cost_per_request_usd\nFROM ${FEATURE_RANGE}\nWHERE ${rollupWhere}`,
    'currencyUSD',
  ),
  stat(
    'Spend per day',
    'Spend rate over the range, per day; below it the rate of the period just before.',
    SPEND_VS_PREVIOUS,
    'currencyUSD',
    {
      options: {
        reduceOptions: {
          calcs: ['lastNotNull'],
          fields: '/^(spend_per_day_usd|previous_spend_per_day_usd)$/',
          values: false,
        },
        colorMode: 'none',
        graphMode: 'none',
        justifyMode: 'auto',
        textMode: 'value_and_name',
        orientation: 'horizontal',
      },
    },
  ),
  stat(
    'Spend vs previous period',
    'Change of spend against the period of the same length just before the range.',
    SPEND_VS_PREVIOUS,
    'percentunit',
    {
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '/^change$/', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        textMode: 'auto',
        orientation: 'auto',
      },
    },
  ),
  stat(
    'Unpriced requests',
    'Share of requests without a cost (unknown model, missing usage, ...): their spend is not in the totals. See the Requests dashboard for the reasons.',
    `SELECT ${ratio('sum(unpriced_requests)', 'sum(requests)')} AS unpriced_share\nFROM ${FEATURE_RANGE}\nWHERE ${rollupWhere}`,
    'percentunit',
  ),
  timeseries(
    'Spend by provider and model',
    'Spend per time bucket (at least one hour; a bucket of whole days reads the daily rollup).',
    spendOverTime(`concat(${shown('provider')}, ' / ', ${shown('model')})`),
    'currencyUSD',
    { width: 24 },
  ),
  table('Top features', 'Features by spend in the range.', spendBy('feature', 20), {
    overrides: units(MONEY_COLUMNS),
  }),
  table('Top customers', 'Customers by spend in the range.', spendBy('customer', 20), {
    overrides: units(MONEY_COLUMNS),
  }),
  table(
    'Unpriced requests by reason',
    'Requests without a cost, by why: load or override the price (unknown_model), or fix the instrumentation (missing_usage).',
    `SELECT
  ${shown('provider')} AS provider,
  ${shown('model')} AS model,
  reason,
  count() AS request_count,
  max(timestamp) AS last_seen
FROM ${UNPRICED}
WHERE ${requestWhere}
GROUP BY provider, model, reason
ORDER BY request_count DESC
LIMIT 50`,
    { width: 24, height: 7 },
  ),
];

// ---------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------

const features: PanelSpec[] = [
  timeseries(
    'Spend per feature',
    'Spend per feature over time (buckets of at least one hour).',
    spendOverTime(shown('feature')),
    'currencyUSD',
    {
      width: 24,
    },
  ),
  table(
    'Cost per request per feature',
    'Mean and 95th percentile cost of a priced request, per feature (request table: exact per-request costs).',
    `SELECT
  ${shown('feature')} AS feature,
  sum(cost_total) AS spend_usd,
  count() AS request_count,
  countIf(cost_total IS NOT NULL) AS priced_count,
  sum(cost_total) / nullIf(countIf(cost_total IS NOT NULL), 0) AS mean_cost_usd,
  quantileExact(0.95)(cost_total) AS p95_cost_usd
FROM ${REQUESTS}
WHERE ${requestWhere}
GROUP BY feature
ORDER BY spend_usd DESC NULLS LAST, feature`,
    { overrides: units(MONEY_COLUMNS) },
  ),
  {
    ...table(
      'Tokens by kind per feature',
      'Input tokens split into uncached, cache reads and cache writes; output tokens with the reasoning share.',
      `SELECT
  ${shown('feature')} AS feature,
  sum(input_tokens) - sum(cache_read_tokens) - sum(cache_write_tokens) AS uncached_input,
  sum(cache_read_tokens) AS cache_read,
  sum(cache_write_tokens) AS cache_write,
  sum(output_tokens) - sum(reasoning_tokens) AS output_excluding_reasoning,
  sum(reasoning_tokens) AS reasoning
FROM ${FEATURE_RANGE}
WHERE ${rollupWhere}
GROUP BY feature
ORDER BY sum(input_tokens) + sum(output_tokens) DESC, feature
LIMIT 20`,
    ),
    type: 'barchart',
    unit: 'short',
    options: {
      orientation: 'horizontal',
      stacking: 'normal',
      showValue: 'never',
      xField: 'feature',
      legend: { showLegend: true, displayMode: 'list', placement: 'bottom' },
    },
  },
  table(
    'Cache hit ratio per feature',
    'Share of input tokens read from the provider cache.',
    `SELECT
  ${shown('feature')} AS feature,
  ${ratio('sum(cache_read_tokens)', 'sum(input_tokens)')} AS cache_hit_ratio,
  sum(cache_read_tokens) AS cache_read,
  sum(input_tokens) AS input
FROM ${FEATURE_RANGE}
WHERE ${rollupWhere}
GROUP BY feature
ORDER BY cache_read DESC, feature`,
    { overrides: units(MONEY_COLUMNS), width: 8 },
  ),
  table(
    'What caching saved',
    'Cache-read tokens priced at the input price minus what they cost, per feature (whole UTC days; the customer filter does not apply: the savings view has no customer column).',
    `SELECT
  ${shown('feature')} AS feature,
  sum(savings_usd) AS saved_usd,
  sum(cache_read_tokens) AS cache_read
FROM ${CACHE_SAVINGS}
WHERE ${where(
      '$__dateFilter(day)',
      DIMENSIONS.filter((dimension) => dimension.name !== 'customer'),
    )}
GROUP BY feature
ORDER BY saved_usd DESC, feature`,
    { overrides: units(MONEY_COLUMNS), width: 8 },
  ),
  table(
    'Cost by model within each feature',
    'Which models each feature spends on.',
    `SELECT
  ${shown('feature')} AS feature,
  ${shown('provider')} AS provider,
  ${shown('model')} AS model,
  ${SPEND} AS spend_usd,
  ${REQUEST_COUNT} AS request_count,
  ${COST_PER_REQUEST} AS cost_per_request_usd
FROM ${FEATURE_RANGE}
WHERE ${rollupWhere}
GROUP BY feature, provider, model
ORDER BY feature, sum(cost_total) DESC`,
    { overrides: units(MONEY_COLUMNS), width: 8 },
  ),
  table('Most expensive workflows', 'Workflows (multi-step jobs) by spend.', spendBy('workflow', 20), {
    overrides: units(MONEY_COLUMNS),
    width: 24,
  }),
];

// ---------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------

/** Customers of the current and the previous period, with both spends. */
const CUSTOMER_TREND = `SELECT
  ${shown('customer')} AS customer,
  if(sumIf(priced_requests, ${IN_CURRENT}) = 0, NULL, ${spendIf(IN_CURRENT)}) AS spend_usd,
  if(sumIf(priced_requests, ${IN_PREVIOUS}) = 0, NULL, ${spendIf(IN_PREVIOUS)}) AS previous_spend_usd,
  ${ratio(`${spendIf(IN_CURRENT)} - ${spendIf(IN_PREVIOUS)}`, spendIf(IN_PREVIOUS))} AS change,
  sumIf(requests, ${IN_CURRENT}) AS request_count,
  minIf(hour, requests > 0) AS first_seen
FROM ${CUSTOMER_RANGE_WITH_PREVIOUS}
WHERE ${where(ROLLUP_RANGE_WITH_PREVIOUS)}
GROUP BY customer`;

const customers: PanelSpec[] = [
  timeseries(
    'Spend per customer (top 10)',
    'The ten customers with the most spend in the range, over time.',
    `SELECT
  ${ROLLUP_BUCKET} AS time,
  ${shown('customer')} AS series,
  ${SPEND} AS spend_usd
FROM ${CUSTOMER_RANGE_BUCKETED}
WHERE ${rollupWhere}
  AND ${shown('customer')} IN (
    SELECT ${shown('customer')} FROM ${CUSTOMER_RANGE}
    WHERE ${rollupWhere}
    GROUP BY 1 ORDER BY sum(cost_total) DESC, 1 LIMIT 10
  )
GROUP BY time, series
ORDER BY time, series`,
    'currencyUSD',
    { width: 24 },
  ),
  table(
    'Top customers and trend',
    'Customers by spend, with the spend of the period of the same length before the range. First seen: the first hour with a request, or the day when that day lies whole in the range.',
    `${CUSTOMER_TREND}\nHAVING sumIf(requests, ${IN_CURRENT}) > 0\nORDER BY ${spendIf(IN_CURRENT)} DESC, customer\nLIMIT 25`,
    { overrides: units(MONEY_COLUMNS) },
  ),
  table(
    'New and fast-growing customers',
    'Customers with no spend in the previous period (new), or at least twice its spend.',
    `${CUSTOMER_TREND}\nHAVING ${spendIf(IN_CURRENT)} > 0 AND ${spendIf(IN_CURRENT)} >= 2 * ${spendIf(IN_PREVIOUS)}\nORDER BY ${spendIf(IN_CURRENT)} - ${spendIf(IN_PREVIOUS)} DESC, customer\nLIMIT 25`,
    { overrides: units(MONEY_COLUMNS) },
  ),
  table(
    'Spend per customer and feature',
    'What each customer spends on, feature by feature.',
    `SELECT
  ${shown('customer')} AS customer,
  ${shown('feature')} AS feature,
  ${SPEND} AS spend_usd,
  ${REQUEST_COUNT} AS request_count,
  ${COST_PER_REQUEST} AS cost_per_request_usd
FROM ${RANGE}
WHERE ${rollupWhere}
GROUP BY customer, feature
ORDER BY sum(cost_total) DESC, customer, feature
LIMIT 200`,
    { overrides: units(MONEY_COLUMNS), width: 24 },
  ),
];

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

const traceLinkOverride: JsonObject = {
  matcher: { id: 'byName', options: 'trace_id' },
  properties: [{ id: 'links', value: [viewTraceLink('span_id')] }],
};

const requests: PanelSpec[] = [
  table(
    'Most expensive requests',
    'Single model calls by cost, with their attribution. Click a trace id to open the trace.',
    `SELECT
  timestamp,
  cost_total AS cost_usd,
  cost_status,
  service,
  environment,
  provider,
  model,
  operation,
  feature,
  customer,
  workflow,
  input_tokens,
  cache_read_tokens,
  output_tokens,
  duration_ns / 1e9 AS duration_s,
  time_to_first_chunk_s AS time_to_first_token_s,
  status_code,
  trace_id,
  span_id
FROM ${REQUESTS}
WHERE ${requestWhere}
ORDER BY cost_total DESC NULLS LAST, timestamp DESC
LIMIT 100`,
    { width: 24, height: 10, overrides: [...units(MONEY_COLUMNS), traceLinkOverride] },
  ),
  timeseries(
    'Latency',
    'Duration of model calls: median and 95th percentile.',
    `SELECT
  ${REQUEST_BUCKET} AS time,
  quantile(0.5)(duration_ns) / 1e9 AS p50,
  quantile(0.95)(duration_ns) / 1e9 AS p95
FROM ${REQUESTS}
WHERE ${requestWhere}
GROUP BY time
ORDER BY time`,
    's',
  ),
  timeseries(
    'Time to first token',
    'Streamed calls: seconds to the first chunk, median and 95th percentile.',
    `SELECT
  ${REQUEST_BUCKET} AS time,
  quantile(0.5)(time_to_first_chunk_s) AS p50,
  quantile(0.95)(time_to_first_chunk_s) AS p95
FROM ${REQUESTS}
WHERE ${requestWhere}
  AND time_to_first_chunk_s IS NOT NULL
GROUP BY time
ORDER BY time`,
    's',
  ),
  timeseries(
    'Errors',
    'Failed model calls per bucket (at least one hour).',
    `SELECT
  ${ROLLUP_BUCKET} AS time,
  concat(${shown('provider')}, ' / ', ${shown('model')}) AS series,
  sum(error_requests) AS errors
FROM ${FEATURE_RANGE_BUCKETED}
WHERE ${rollupWhere}
GROUP BY time, series
ORDER BY time, series`,
    'short',
  ),
  table(
    'Errors by type',
    'Failed model calls by error type, with the last occurrence and one trace to look at.',
    `SELECT
  if(r.error_type = '', '(unknown)', r.error_type) AS error_type,
  r.provider AS provider,
  r.model AS model,
  count() AS request_count,
  max(r.timestamp) AS last_seen,
  argMax(r.trace_id, r.timestamp) AS trace_id,
  argMax(r.span_id, r.timestamp) AS span_id
FROM ${REQUESTS} AS r
WHERE ${requestWhere}
  AND r.status_code = 'Error'
GROUP BY error_type, provider, model
ORDER BY request_count DESC
LIMIT 50`,
    { overrides: [traceLinkOverride] },
  ),
];

// ---------------------------------------------------------------------------

export interface DashboardDefinition {
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

export const DEFINITIONS: readonly DashboardDefinition[] = [
  {
    uid: 'aicost-overview',
    title: 'aicost / Overview',
    description:
      'What AI calls cost: totals, trend, providers and models, top features and customers, unpriced share.',
    // The bill next to the traces (./billing.ts) closes the overview.
    panels: [...overview, ...bill],
  },
  {
    uid: 'aicost-features',
    title: 'aicost / Features',
    description:
      'What each feature costs, per request and in tokens, what caching saves, which models and workflows.',
    panels: features,
  },
  {
    uid: 'aicost-customers',
    title: 'aicost / Customers',
    description: 'What each customer costs, who grows, and on which features.',
    panels: customers,
  },
  {
    uid: 'aicost-requests',
    title: 'aicost / Requests',
    description:
      'Single model calls: the most expensive ones, latency, time to first token, errors; links to traces.',
    panels: requests,
  },
  ECONOMICS,
];

const NAVIGATION: JsonObject[] = [
  {
    title: 'aicost',
    type: 'dashboards',
    tags: ['aicost'],
    asDropdown: false,
    includeVars: true,
    keepTime: true,
    targetBlank: false,
    icon: 'external link',
    tooltip: '',
    url: '',
  },
];

export function dashboardJson(definition: DashboardDefinition): JsonObject {
  return {
    uid: definition.uid,
    title: definition.title,
    description: definition.description,
    tags: ['aicost'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    version: 1,
    time: { from: 'now-7d', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    fiscalYearStartMonth: 0,
    liveNow: false,
    refresh: '',
    links: NAVIGATION,
    annotations: { list: [] },
    templating: { list: VARIABLES },
    panels: layout(definition.panels),
  };
}

export function buildDashboards(): Array<{ file: string; json: JsonObject }> {
  return DEFINITIONS.map((definition) => ({
    file: `${definition.uid.replace(/^aicost-/, '')}.json`,
    json: dashboardJson(definition),
  }));
}
