/**
 * The Economics dashboard: margin by customer and segment, cost per outcome, cost per request
 * by release, targets broken, the largest what-if savings (estimates), capacity utilisation
 * and idle cost. Panels read the views of packages/schema/sql 070-076.
 */
import type { DashboardDefinition } from './dashboards.ts';
import { type PanelSpec, table, timeseries, units } from './panels.ts';
import {
  COST_PER_REQUEST,
  DATABASE,
  DIMENSIONS,
  type Dimension,
  HOURLY,
  ROLLUP_BUCKET,
  ROLLUP_RANGE,
  shown,
  variableFilter,
  where,
} from './sql.ts';

const dimension = (name: string): Dimension => DIMENSIONS.find((d) => d.name === name)!;
const filters = (...names: string[]) => names.map((name) => variableFilter(dimension(name)));

/** Billing periods that overlap the dashboard range. */
const PERIOD_OVERLAPS = 'period_end >= toDate($__fromTime) AND period_start <= toDate($__toTime)';
/** UTC days inside the dashboard range (views keyed by day). */
const DAY_IN_RANGE = 'day >= toDate($__fromTime) AND day <= toDate($__toTime)';

const money = (...columns: string[]) => units(Object.fromEntries(columns.map((c) => [c, 'currencyUSD'])));
const percent = (...columns: string[]) => units(Object.fromEntries(columns.map((c) => [c, 'percentunit'])));

const panels: PanelSpec[] = [
  table(
    'Gross AI margin by customer',
    'Per customer and billing period overlapping the range: what the customer pays (aicost revenue load), the AI cost of its requests on the billed days and the gross AI margin. Empty cost: requests with no price. Revenue in another currency than USD has no margin.',
    `SELECT
  ${shown('customer')} AS customer,
  ${shown('segment')} AS segment,
  period_start, period_end, currency,
  revenue, ai_cost_usd, margin_usd, margin_ratio
FROM ${DATABASE}.aicost_customer_margin
WHERE ${[PERIOD_OVERLAPS, ...filters('customer')].join('\n  AND ')}
ORDER BY margin_ratio ASC NULLS LAST, customer
LIMIT 100`,
    { overrides: [...money('revenue', 'ai_cost_usd', 'margin_usd'), ...percent('margin_ratio')] },
  ),
  table(
    'Gross AI margin by segment (falling margins first)',
    'Per segment and billing period: revenue, AI cost and margin of its customers, the change from the period before; margin_falling when it went down.',
    `SELECT
  ${shown('segment')} AS segment,
  period_start, period_end, currency, customers,
  revenue, ai_cost_usd, margin_ratio, previous_margin_ratio, margin_ratio_change, margin_falling
FROM ${DATABASE}.aicost_segment_margin_trend
WHERE ${PERIOD_OVERLAPS}
ORDER BY margin_falling DESC, margin_ratio_change ASC NULLS LAST, segment`,
    {
      overrides: [
        ...money('revenue', 'ai_cost_usd'),
        ...percent('margin_ratio', 'previous_margin_ratio', 'margin_ratio_change'),
      ],
    },
  ),
  table(
    'Cost per outcome by feature',
    'Outcomes recorded with recordOutcome() and the priced model calls of their traces, in any service; each trace counted once. cost_per_outcome_usd = cost / outcomes.',
    `SELECT
  outcome,
  ${shown('o.feature')} AS feature,
  sum(o.outcomes) AS outcome_count,
  sum(o.calls) AS model_calls,
  sum(o.unpriced_calls) AS unpriced_calls,
  sum(o.cost_usd) AS cost_usd,
  if(outcome_count = 0, NULL, sum(o.cost_usd) / outcome_count) AS cost_per_outcome_usd
FROM ${DATABASE}.aicost_cost_per_outcome AS o
WHERE ${[DAY_IN_RANGE, ...filters('feature', 'customer', 'environment')].join('\n  AND ')}
GROUP BY outcome, feature
ORDER BY cost_usd DESC`,
    { overrides: money('cost_usd', 'cost_per_outcome_usd') },
  ),
  table(
    'Cost per request by release',
    "Per service and release (resource service.version, the request table's service_version) of the calls in the range: cost per priced request and the change from the release before (first seen just before, over all stored requests; empty when it made no call in the range), in USD (exact) and as a ratio. The same figures as aicost report --by release (view aicost_release_costs_between).",
    `SELECT
  service, release, deployment, first_seen, last_seen, requests, unpriced_requests,
  cost_per_request_usd, previous_release, change_usd, change_ratio
FROM ${DATABASE}.aicost_release_costs_between(from = $__fromTime, to = $__toTime, filters = map())
WHERE ${filters('service', 'environment').join('\n  AND ')}
ORDER BY service, first_seen`,
    { overrides: [...money('cost_per_request_usd', 'change_usd'), ...percent('change_ratio')] },
  ),
  timeseries(
    'Cost per request by release over time',
    "Per service and release (the hourly rollup's service_version): cost per priced request in each time bucket, so a release shows where it starts serving. Hours rolled up before schema migration 7 show the release as (none).",
    `SELECT
  ${ROLLUP_BUCKET} AS time,
  concat(service, ' ', ${shown('service_version')}) AS series,
  ${COST_PER_REQUEST} AS cost_per_request_usd
FROM ${HOURLY}
WHERE ${where(ROLLUP_RANGE)}
GROUP BY time, series
ORDER BY time, series`,
    'currencyUSD',
    { width: 24 },
  ),
  table(
    'Cost per outcome by release',
    'Per service and release of the model calls in the range, and outcome: the outcomes recorded (by any service) in the traces where that release made calls, over the priced cost of its calls there, and the change from the release before. The same rule as aicost report --by release (view aicost_release_outcome_costs_between).',
    `SELECT
  service, release, outcome, first_seen, outcomes, cost_usd, cost_per_outcome_usd, previous_release, change_usd
FROM ${DATABASE}.aicost_release_outcome_costs_between(from = $__fromTime, to = $__toTime, filters = map())
WHERE ${filters('service', 'environment').join('\n  AND ')}
ORDER BY service, outcome, first_seen`,
    { overrides: money('cost_usd', 'cost_per_outcome_usd', 'change_usd') },
  ),
  table(
    'Targets broken',
    'Days on which a feature cost more per request than its target (aicost targets load), and billing periods in which its gross AI margin was below its target.',
    `SELECT 'cost per request' AS target, ${shown('feature')} AS feature, toString(day) AS period,
  toFloat64(cost_per_request_usd) AS actual, toFloat64(max_cost_per_request_usd) AS limit
FROM ${DATABASE}.aicost_cost_target_breaches
WHERE ${[DAY_IN_RANGE, 'breached', ...filters('feature', 'service', 'environment')].join('\n  AND ')}
UNION ALL
SELECT 'gross AI margin' AS target, ${shown('feature')} AS feature,
  concat(toString(period_start), ' .. ', toString(period_end)) AS period,
  toFloat64(margin_ratio) AS actual, toFloat64(min_margin) AS limit
FROM ${DATABASE}.aicost_margin_target_breaches
WHERE ${[PERIOD_OVERLAPS, 'breached', ...filters('feature')].join('\n  AND ')}
ORDER BY target, feature, period`,
  ),
  table(
    'Largest what-if savings (estimate)',
    'ESTIMATE, not a measured cost: the priced requests of the range re-priced on each other model already in use, same token counts, cache kept, at the price valid now. Savings = recorded cost - estimate.',
    `SELECT
  ${shown('w.feature')} AS feature,
  w.model AS model,
  w.candidate_model_id AS candidate,
  count() AS requests,
  sum(w.current_cost_usd) AS recorded_usd,
  sum(w.candidate_cost_usd) AS estimate_usd,
  sum(w.savings_usd) AS estimated_savings_usd
FROM ${DATABASE}.aicost_whatif_models_in_use AS w
WHERE ${['$__timeFilter(w.timestamp)', 'w.candidate_model_id != w.current_model_id', ...DIMENSIONS.map((d) => variableFilter(d, 'w.'))].join('\n  AND ')}
GROUP BY feature, model, candidate
HAVING estimated_savings_usd > 0
ORDER BY estimated_savings_usd DESC
LIMIT 20`,
    { overrides: money('recorded_usd', 'estimate_usd', 'estimated_savings_usd') },
  ),
  table(
    'Capacity utilisation and idle cost',
    'Per capacity pool (aicost capacity load) over the range: what its hours cost, what was allocated to the requests it served (in proportion to tokens) and what stayed idle; allocated + idle = capacity exactly.',
    `SELECT
  u.pool AS pool, u.tier AS tier,
  count() AS hours,
  sum(u.requests) AS served_requests,
  sum(u.capacity_cost_usd) AS capacity_usd,
  sum(u.allocated_usd) AS allocated_usd,
  sum(u.idle_usd) AS idle_usd,
  if(capacity_usd = 0, NULL, toFloat64(allocated_usd) / toFloat64(capacity_usd)) AS utilisation
FROM ${DATABASE}.aicost_capacity_utilisation AS u
WHERE $__timeFilter(u.hour)
GROUP BY pool, tier
ORDER BY idle_usd DESC`,
    { overrides: [...money('capacity_usd', 'allocated_usd', 'idle_usd'), ...percent('utilisation')] },
  ),
  table(
    'Effective cost per 1M tokens by tier and hour of day',
    'Self-hosted and cloud-GPU pools at the cost allocated to their requests, the provider API at its priced cost, per model family (aicost.attr.model_family, else the model) and UTC hour of day: where bursting to an API is cheaper than the baseline.',
    `SELECT tier, model_family, hour_of_day, requests, tokens, cost_usd, cost_per_mtok_usd
FROM ${DATABASE}.aicost_tier_cost_per_mtok
ORDER BY model_family, hour_of_day, tier`,
    { overrides: money('cost_usd', 'cost_per_mtok_usd') },
  ),
];

export const ECONOMICS: DashboardDefinition = {
  uid: 'aicost-economics',
  title: 'aicost / Economics',
  description:
    'Unit economics: gross AI margin by customer and segment, cost per outcome, cost per request by release, targets broken, what-if savings (estimates), capacity and idle cost.',
  panels,
};
