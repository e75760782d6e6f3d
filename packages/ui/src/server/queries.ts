/**
 * What each page shows, as SQL. Panels that exist in the Grafana dashboards are taken from
 * them by dashboard and title (grafana/generator/dashboards.ts): the UI runs the very query
 * the dashboard runs. What the dashboards do not have (the request list with its filters and
 * sort, the cost-per-request distribution, top models, the trace) is written here from the
 * same fragments (grafana/generator/sql.ts: tables, `shown`, `where`, `rollupOver`, the
 * spend measures), in the same Grafana form, and bound by ./bind.ts the same way.
 */
import { DEFINITIONS } from '../../../../grafana/generator/dashboards.ts';
import { dimensionVariable } from '../../../../grafana/generator/panels.ts';
import {
  COST_PER_REQUEST,
  DATABASE,
  DIMENSIONS,
  FEATURE_DAILY,
  OVER_RANGE,
  REQUEST_COUNT,
  REQUEST_RANGE,
  REQUESTS,
  ROLLUP_RANGE,
  rollupOver,
  SPEND,
  shown,
  where,
} from '../../../../grafana/generator/sql.ts';

/** The SQL of a dashboard panel (its first target), found by dashboard uid and panel title. */
export function panelSql(uid: string, title: string): string {
  const panel = DEFINITIONS.find((dashboard) => dashboard.uid === uid)?.panels.find(
    (candidate) => candidate.title === title,
  );
  const sql = panel?.targets[0]?.rawSql;
  if (sql === undefined) throw new Error(`no panel "${title}" in dashboard ${uid}`);
  return sql;
}

/** The dashboards' exporter table of spans (the trace view's source). */
const TRACES = REQUESTS.replace(/aicost_requests$/, 'otel_traces');

/** Top models by spend, for the feature and customer pages (rollups, like the dashboards' tables). */
const TOP_MODELS = `SELECT
  ${shown('provider')} AS provider,
  ${shown('model')} AS model,
  ${SPEND} AS spend_usd,
  ${REQUEST_COUNT} AS request_count,
  ${COST_PER_REQUEST} AS cost_per_request_usd
FROM ${rollupOver({ ...OVER_RANGE, narrow: FEATURE_DAILY })}
WHERE ${where(ROLLUP_RANGE)}
GROUP BY provider, model
ORDER BY sum(cost_total) DESC, provider, model
LIMIT 10`;

/**
 * Cost per priced request by order of magnitude: bucket `d` holds the requests whose cost has
 * `d` digits in nano-dollars (`[10^(d-1), 10^d)` nano-USD). Decimal arithmetic only.
 */
const COST_DISTRIBUTION = `SELECT
  length(toString(toUInt64(cost_total * 1000000000))) AS nano_digits,
  count() AS request_count,
  sum(cost_total) AS spend_usd
FROM ${REQUESTS}
WHERE ${where(REQUEST_RANGE)}
  AND cost_total > 0
GROUP BY nano_digits
ORDER BY nano_digits`;

/** Percentiles of the cost of a priced request (exact: each is one request's cost). */
const COST_PERCENTILES = `SELECT
  count() AS priced_count,
  quantileExactLow(0.5)(cost_total) AS p50_usd,
  quantileExactLow(0.9)(cost_total) AS p90_usd,
  quantileExactLow(0.99)(cost_total) AS p99_usd,
  max(cost_total) AS max_usd
FROM ${REQUESTS}
WHERE ${where(REQUEST_RANGE)}
  AND cost_total IS NOT NULL`;

/** The request list's columns a user may sort by, and their SQL. */
export const REQUEST_SORTS: Record<string, string> = {
  time: 'timestamp',
  cost: 'cost_total',
  duration: 'duration_ns',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
  model: 'model',
  feature: 'feature',
  customer: 'customer',
};

/** Request statuses a user may filter on: the call's outcome or its cost status. */
export const REQUEST_STATUSES: Record<string, string> = {
  ok: "status_code != 'Error'",
  error: "status_code = 'Error'",
  priced: 'cost_total IS NOT NULL',
  unpriced: 'cost_total IS NULL',
};

const REQUEST_FILTERS = `${where(REQUEST_RANGE)}
  AND ({cost_min:String} = '' OR cost_total >= toDecimal128OrNull({cost_min:String}, 9))
  AND ({cost_max:String} = '' OR cost_total <= toDecimal128OrNull({cost_max:String}, 9))`;

export interface RequestListQuery {
  /** A key of REQUEST_SORTS. */
  sort: string;
  descending: boolean;
  /** Keys of REQUEST_STATUSES. */
  statuses: string[];
}

/** The request list: SQL text from allow-listed pieces only; the values are parameters. */
export function requestList(query: RequestListQuery): { rows: string; count: string } {
  const sortColumn = REQUEST_SORTS[query.sort];
  if (sortColumn === undefined) throw new Error(`unknown sort ${query.sort}`);
  const statusSql = query.statuses.map((status) => {
    const condition = REQUEST_STATUSES[status];
    if (condition === undefined) throw new Error(`unknown status ${status}`);
    return condition;
  });
  const filters =
    statusSql.length === 0 ? REQUEST_FILTERS : `${REQUEST_FILTERS}\n  AND (${statusSql.join(' OR ')})`;
  // NULL costs last whichever the direction: an unknown cost is not the cheapest.
  const order = `${sortColumn} ${query.descending ? 'DESC' : 'ASC'} NULLS LAST, timestamp DESC, span_id`;
  return {
    rows: `SELECT
  timestamp,
  trace_id,
  span_id,
  service,
  environment,
  provider,
  model,
  operation,
  ${shown('feature')} AS feature,
  ${shown('customer')} AS customer,
  cost_total AS cost_usd,
  cost_status,
  cost_status_reason,
  input_tokens,
  output_tokens,
  duration_ns,
  status_code
FROM ${REQUESTS}
WHERE ${filters}
ORDER BY ${order}
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    count: `SELECT count() AS request_count, sum(cost_total) AS spend_usd\nFROM ${REQUESTS}\nWHERE ${filters}`,
  };
}

/** A trace's spans: every span, GenAI or not, for the waterfall. */
export const TRACE_SPANS = `SELECT
  SpanId AS span_id,
  ParentSpanId AS parent_span_id,
  SpanName AS name,
  ServiceName AS service,
  SpanKind AS kind,
  StatusCode AS status_code,
  StatusMessage AS status_message,
  toString(toUnixTimestamp64Nano(Timestamp)) AS start_ns,
  Duration AS duration_ns,
  SpanAttributes AS attributes,
  ScopeName AS scope
FROM ${TRACES}
WHERE TraceId = {trace_id:String}
  AND Timestamp >= (SELECT min(Start) FROM ${TRACES}_trace_id_ts WHERE TraceId = {trace_id:String})
  AND Timestamp <= (SELECT max(End) + 1 FROM ${TRACES}_trace_id_ts WHERE TraceId = {trace_id:String})
ORDER BY Timestamp, SpanId
LIMIT 5000`;

/** The model calls of a trace with their tokens, cost components, price provenance and attribution. */
export const TRACE_REQUESTS = `SELECT
  span_id,
  provider,
  operation,
  model,
  request_model,
  response_model,
  input_tokens,
  output_tokens,
  cache_read_tokens,
  cache_write_tokens,
  reasoning_tokens,
  input_audio_tokens,
  output_audio_tokens,
  input_image_tokens,
  output_image_tokens,
  usage_source,
  currency,
  cost_total AS cost_usd,
  cost_input AS cost_input_usd,
  cost_cache_read AS cost_cache_read_usd,
  cost_cache_write AS cost_cache_write_usd,
  cost_output AS cost_output_usd,
  cost_other AS cost_other_usd,
  cost_status,
  cost_status_reason,
  price_source,
  price_version,
  price_provider_id,
  price_model_id,
  feature,
  customer,
  workflow,
  team,
  custom_attribution
FROM ${REQUESTS}
WHERE trace_id = {trace_id:String}
ORDER BY timestamp, span_id
LIMIT 5000`;

/**
 * A change token for live updates: moves whenever a request, an outcome, a bill line or a row of
 * the business data (revenue, targets, capacity) is stored. `count()` of a MergeTree table is
 * read from its parts' metadata, so polling it costs no scan.
 */
const COUNTED: Record<string, string> = {
  requests: REQUESTS,
  outcomes: `${DATABASE}.aicost_outcomes`,
  bills: `${DATABASE}.aicost_billing`,
  revenue: `${DATABASE}.aicost_revenue`,
  targets: `${DATABASE}.aicost_targets`,
  capacity: `${DATABASE}.aicost_capacity`,
};
export const CHANGES = `SELECT ${Object.entries(COUNTED)
  .map(([name, table]) => `(SELECT toString(count()) FROM ${table}) AS ${name}`)
  .join(', ')}`;

/** Each page's queries, by the key the page reads its rows under. */
export const PAGES = {
  overview: {
    total_spend: panelSql('aicost-overview', 'Total spend'),
    requests: panelSql('aicost-overview', 'Requests'),
    cost_per_request: panelSql('aicost-overview', 'Cost per request'),
    unpriced_share: panelSql('aicost-overview', 'Unpriced requests'),
    spend_over_time: panelSql('aicost-overview', 'Spend by provider and model'),
    top_features: panelSql('aicost-overview', 'Top features'),
    top_customers: panelSql('aicost-overview', 'Top customers'),
    unpriced_by_reason: panelSql('aicost-overview', 'Unpriced requests by reason'),
    cache_savings: panelSql('aicost-features', 'What caching saved'),
  },
  // The feature and customer pages: the same queries with that feature or customer selected.
  detail: {
    total_spend: panelSql('aicost-overview', 'Total spend'),
    requests: panelSql('aicost-overview', 'Requests'),
    cost_per_request: panelSql('aicost-overview', 'Cost per request'),
    spend_over_time: panelSql('aicost-overview', 'Spend by provider and model'),
    top_models: TOP_MODELS,
    cost_distribution: COST_DISTRIBUTION,
    cost_percentiles: COST_PERCENTILES,
    most_expensive: panelSql('aicost-requests', 'Most expensive requests'),
  },
  // The Economics dashboard's panels (grafana/generator/economics.ts), each as the dashboard runs it.
  economics: {
    customer_margin: panelSql('aicost-economics', 'Gross AI margin by customer'),
    segment_margin: panelSql('aicost-economics', 'Gross AI margin by segment (falling margins first)'),
    cost_per_outcome: panelSql('aicost-economics', 'Cost per outcome by feature'),
    release_costs: panelSql('aicost-economics', 'Cost per request by release'),
    release_outcome_costs: panelSql('aicost-economics', 'Cost per outcome by release'),
    whatif_savings: panelSql('aicost-economics', 'Largest what-if savings (estimate)'),
    capacity: panelSql('aicost-economics', 'Capacity utilisation and idle cost'),
  },
  // The overview dashboard's bill panels (grafana/generator/billing.ts: `aicost reconcile`'s rows).
  reconciliation: {
    bill_vs_traces: panelSql('aicost-overview', 'Bill vs traces per provider, model and day'),
    bill_totals: panelSql('aicost-overview', 'Bill vs traces, totals over the range'),
    bill_by_provider_day: panelSql('aicost-overview', 'Bill vs traces per provider and day'),
    untraced_projects: panelSql('aicost-overview', 'Billed projects without spans'),
  },
} as const;
export type PageName = keyof typeof PAGES;

/** The values offered in each filter (the dashboards' variable queries). */
export const FILTER_OPTIONS: Record<string, string> = Object.fromEntries(
  DIMENSIONS.map((dimension) => [
    dimension.name,
    String((dimensionVariable(dimension).query as { rawSql: string }).rawSql),
  ]),
);
