-- aicost schema: what a feature costs per request and per customer-month, as distributions.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Percentiles are the engine's quantileExact: the values sorted ascending, the one at
-- 0-based position floor(level x n) (the largest for level x n >= n - 1). It returns a value
-- that occurred (no interpolation), exact in Decimal. p50 of an even count is the upper
-- median. `aicost report --feature X --price-for-margin 70%` runs the same aggregates over
-- its own window and prices each percentile: price = cost / (1 - margin), rounded up to the
-- nano-dollar so that the margin is at least the target.

-- One row per feature, customer and calendar month (UTC): the customer-month cost of the
-- feature (priced requests only; unpriced_requests says what is missing).
CREATE OR REPLACE VIEW {{database}}.aicost_feature_customer_months{{on_cluster}} AS
SELECT
    feature, customer, toStartOfMonth(day) AS month,
    sum(requests) AS requests,
    sum(unpriced_requests) AS unpriced_requests,
    sum(cost_total) AS cost_usd
FROM {{database}}.aicost_rollup_daily
GROUP BY feature, customer, month;

-- Per feature and calendar month: the distribution of the cost of one priced request and of
-- one customer-month.
CREATE OR REPLACE VIEW {{database}}.aicost_feature_cost_distribution{{on_cluster}} AS
SELECT
    r.feature AS feature, r.month AS month,
    r.priced_requests AS priced_requests,
    r.request_quantiles[1] AS request_p50_usd,
    r.request_quantiles[2] AS request_p90_usd,
    r.request_quantiles[3] AS request_p99_usd,
    r.request_max_usd AS request_max_usd,
    m.customer_months AS customer_months,
    m.month_quantiles[1] AS customer_month_p50_usd,
    m.month_quantiles[2] AS customer_month_p90_usd,
    m.month_quantiles[3] AS customer_month_p99_usd,
    m.month_max_usd AS customer_month_max_usd
FROM
(
    SELECT feature, toStartOfMonth(timestamp, 'UTC') AS month, count() AS priced_requests,
           quantilesExact(0.5, 0.9, 0.99)(assumeNotNull(cost_total)) AS request_quantiles,
           max(assumeNotNull(cost_total)) AS request_max_usd
    FROM {{database}}.aicost_requests
    WHERE cost_total IS NOT NULL
    GROUP BY feature, month
) AS r
LEFT JOIN
(
    SELECT feature, month, count() AS customer_months,
           quantilesExact(0.5, 0.9, 0.99)(cost_usd) AS month_quantiles,
           max(cost_usd) AS month_max_usd
    FROM {{database}}.aicost_feature_customer_months
    GROUP BY feature, month
) AS m ON m.feature = r.feature AND m.month = r.month;
