/**
 * The SQL of `aicost report --price-for-margin`, `aicost whatif` and `aicost economics`, over
 * the views of packages/schema/sql 070-076. Values are bound as query parameters, never spliced in.
 */
import { DATABASE } from '../store/schema.js';

export interface Window {
  fromNs: bigint;
  toNs: bigint;
}

const IN_WINDOW = `timestamp >= fromUnixTimestamp64Nano({from_ns:Int64}) AND timestamp < fromUnixTimestamp64Nano({to_ns:Int64})`;

function windowParams(w: Window): Record<string, string> {
  return { from_ns: w.fromNs.toString(), to_ns: w.toNs.toString() };
}

/**
 * One row: the feature's priced requests in the window and the p50/p90/p99/max of the cost of
 * one request and of one customer-month (calendar months, UTC, cut by the window), with the
 * engine's quantileExact (see packages/schema/sql/074_feature_pricing.sql).
 */
export function featureDistributionSql(feature: string, w: Window) {
  const sql = `SELECT
    r.priced_requests AS priced_requests,
    r.unpriced_requests AS unpriced_requests,
    toString(r.q[1]) AS request_p50, toString(r.q[2]) AS request_p90, toString(r.q[3]) AS request_p99,
    toString(r.request_max) AS request_max,
    m.customer_months AS customer_months,
    toString(m.q[1]) AS customer_month_p50, toString(m.q[2]) AS customer_month_p90,
    toString(m.q[3]) AS customer_month_p99, toString(m.month_max) AS customer_month_max
FROM
(
    SELECT countIf(cost_total IS NOT NULL) AS priced_requests, countIf(cost_total IS NULL) AS unpriced_requests,
           quantilesExactIf(0.5, 0.9, 0.99)(assumeNotNull(cost_total), cost_total IS NOT NULL) AS q,
           maxIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS request_max
    FROM ${DATABASE}.aicost_requests
    WHERE feature = {feature:String} AND ${IN_WINDOW}
) AS r
CROSS JOIN
(
    SELECT count() AS customer_months, quantilesExact(0.5, 0.9, 0.99)(month_cost) AS q, max(month_cost) AS month_max
    FROM
    (
        SELECT customer, toStartOfMonth(timestamp, 'UTC') AS month,
               sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS month_cost
        FROM ${DATABASE}.aicost_requests
        WHERE feature = {feature:String} AND ${IN_WINDOW}
        GROUP BY customer, month
    )
) AS m`;
  return { sql, params: { ...windowParams(w), feature } };
}

export interface WhatIfQuery extends Window {
  features: string[];
  candidateProviderId: string;
  candidateModelId: string;
  keepCache: boolean;
}

/** Per feature and current model: requests, current cost, candidate cost, savings (estimates). */
export function whatifSql(q: WhatIfQuery) {
  const params: Record<string, string> = {
    ...windowParams(q),
    candidate_provider_id: q.candidateProviderId,
    candidate_model_id: q.candidateModelId,
    keep_cache: q.keepCache ? '1' : '0',
  };
  const features = q.features.map((f, i) => {
    params[`feature_${i}`] = f;
    return `{feature_${i}:String}`;
  });
  const sql = `SELECT
    feature, provider, model,
    count() AS requests,
    countIf(candidate_cost_usd IS NULL) AS not_repriced,
    toString(sum(current_cost_usd)) AS current_usd,
    toString(sumIf(assumeNotNull(candidate_cost_usd), candidate_cost_usd IS NOT NULL)) AS estimated_candidate_usd,
    toString(sumIf(assumeNotNull(savings_usd), candidate_cost_usd IS NOT NULL)) AS estimated_savings_usd
FROM ${DATABASE}.aicost_whatif(candidate_provider_id = {candidate_provider_id:String},
    candidate_model_id = {candidate_model_id:String}, keep_cache = {keep_cache:UInt8})
WHERE ${IN_WINDOW}${features.length ? ` AND feature IN (${features.join(', ')})` : ''}
GROUP BY feature, provider, model
ORDER BY sumIf(assumeNotNull(savings_usd), candidate_cost_usd IS NOT NULL) DESC, feature, model`;
  return { sql, params };
}

/** The catalogue models whose id is `model` (to resolve `--model` without `--provider`). */
export function candidateLookupSql(model: string, provider?: string) {
  return {
    sql: `SELECT candidate_provider_id, candidate_model_id FROM ${DATABASE}.aicost_whatif_candidate_prices
WHERE candidate_model_id = {model:String}${provider ? ' AND candidate_provider_id = {provider:String}' : ''}
ORDER BY candidate_provider_id`,
    params: { model, ...(provider ? { provider } : {}) },
  };
}

export interface EconomicsSection {
  title: string;
  sql: string;
}

/** The economics section of `aicost economics`: one small table per question. */
export function economicsSections(): EconomicsSection[] {
  return [
    {
      title: 'Gross AI margin by customer (latest billing period)',
      sql: `SELECT customer, segment, toString(period_start) AS period_start, toString(period_end) AS period_end,
    currency, toString(revenue) AS revenue, toString(ai_cost_usd) AS ai_cost_usd, toString(margin_usd) AS margin_usd,
    toString(round(margin_ratio * 100, 2)) AS margin_pct
FROM ${DATABASE}.aicost_customer_margin
ORDER BY period_start DESC, margin_ratio ASC NULLS LAST, customer
LIMIT 1 BY customer
LIMIT 20`,
    },
    {
      title: 'Gross AI margin by segment (falling = lower than the period before)',
      sql: `SELECT segment, toString(period_start) AS period_start, currency, customers, toString(revenue) AS revenue,
    toString(ai_cost_usd) AS ai_cost_usd, toString(round(margin_ratio * 100, 2)) AS margin_pct,
    toString(round(margin_ratio_change * 100, 2)) AS change_pts, margin_falling
FROM ${DATABASE}.aicost_segment_margin_trend
ORDER BY segment, period_start`,
    },
    {
      title: 'Cost per outcome by feature (model calls of the outcome traces)',
      sql: `SELECT o.outcome AS outcome, o.feature AS feature, sum(o.outcomes) AS outcome_count, sum(o.calls) AS model_calls,
    toString(sum(o.cost_usd)) AS total_cost_usd,
    toString(CAST(round(CAST(sum(o.cost_usd) AS Decimal(38, 18)) / sum(o.outcomes), 9) AS Decimal(38, 9))) AS usd_per_outcome
FROM ${DATABASE}.aicost_cost_per_outcome AS o
GROUP BY outcome, feature
ORDER BY outcome, feature`,
    },
    {
      title: 'Cost per request by release',
      sql: `SELECT service, release, requests, toString(cost_per_request_usd) AS cost_per_request_usd, previous_release,
    toString(change_usd) AS change_usd, toString(round(change_ratio * 100, 1)) AS change_pct
FROM ${DATABASE}.aicost_release_costs
ORDER BY service, first_seen`,
    },
    {
      title: 'Largest what-if savings (ESTIMATE: same tokens re-priced on another model in use, cache kept)',
      sql: `SELECT w.feature AS feature, w.model AS model, w.candidate_model_id AS candidate, count() AS requests,
    toString(sum(w.current_cost_usd)) AS current_usd, toString(sum(w.candidate_cost_usd)) AS estimated_usd,
    toString(sum(w.savings_usd)) AS estimated_savings_usd
FROM ${DATABASE}.aicost_whatif_models_in_use AS w
WHERE w.candidate_model_id != w.current_model_id
GROUP BY feature, model, candidate
HAVING sum(w.savings_usd) > 0
ORDER BY sum(w.savings_usd) DESC
LIMIT 10`,
    },
    {
      title: 'Capacity utilisation and idle cost by pool',
      sql: `SELECT u.pool AS pool, u.tier AS tier, count() AS hours, sum(u.requests) AS served_requests,
    toString(sum(u.capacity_cost_usd)) AS capacity_total_usd, toString(sum(u.allocated_usd)) AS allocated_total_usd,
    toString(sum(u.idle_usd)) AS idle_total_usd,
    toString(round(100 * toFloat64(sum(u.allocated_usd)) / toFloat64(sum(u.capacity_cost_usd)), 1)) AS utilisation_pct
FROM ${DATABASE}.aicost_capacity_utilisation AS u
GROUP BY pool, tier
ORDER BY pool`,
    },
  ];
}
