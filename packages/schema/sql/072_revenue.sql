-- aicost schema: what customers pay, and gross AI margin per customer, segment and feature.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Revenue is data the user loads (`aicost revenue load <file>`, CSV or JSON, validated whole
-- before anything is written). Margin compares it with the AI cost of the same customer over
-- the same days: gross AI margin = revenue - AI cost; margin_ratio = margin / revenue. Money
-- is compared in USD only: a revenue row in another currency has no margin (NULL), aicost
-- converts no currency. AI cost covers every environment and service of the customer.

-- One row per customer, plan, feature and billing period. ReplacingMergeTree: loading a
-- corrected file again replaces the rows with the same (customer, plan, feature,
-- period_start); read through aicost_revenue_current.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_revenue{{on_cluster}}
(
    customer String COMMENT 'as in aicost.customer',
    segment LowCardinality(String) COMMENT 'e.g. enterprise, smb; empty: taken from the aicost.segment attribution',
    plan LowCardinality(String),
    feature LowCardinality(String) COMMENT 'a feature billed on its own (add-on); empty: the whole subscription',
    period_start Date COMMENT 'first day billed (UTC)',
    period_end Date COMMENT 'last day billed (UTC), inclusive',
    amount Decimal(38, 9) COMMENT 'what the customer pays for the period',
    currency LowCardinality(String) COMMENT 'ISO 4217 code',
    source String COMMENT 'the file it was loaded from',
    loaded_at DateTime64(6, 'UTC') DEFAULT now64(6) COMMENT 'the newest copy of a row wins'
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (customer, plan, feature, period_start);

CREATE OR REPLACE VIEW {{database}}.aicost_revenue_current{{on_cluster}} AS
SELECT * EXCEPT loaded_at
FROM {{database}}.aicost_revenue FINAL;

-- Customer -> segment: the segment of the customer's latest revenue row that names one,
-- else the latest `aicost.segment` attribution seen on the customer's model calls (the request
-- table's segment column) or outcomes.
CREATE OR REPLACE VIEW {{database}}.aicost_customer_segments{{on_cluster}} AS
SELECT
    customer,
    argMax(segment, (source_rank, seen)) AS segment,
    if(max(source_rank) = 1, 'revenue', 'attribution') AS segment_source
FROM
(
    SELECT customer, segment, 1 AS source_rank, toDateTime64(period_start, 9, 'UTC') AS seen
    FROM {{database}}.aicost_revenue_current
    WHERE segment != ''
    UNION ALL
    SELECT customer, segment, 0 AS source_rank, timestamp AS seen
    FROM {{database}}.aicost_requests
    WHERE segment != '' AND customer != ''
    UNION ALL
    SELECT customer, segment, 0 AS source_rank, timestamp AS seen
    FROM {{database}}.aicost_outcomes
    WHERE segment != '' AND customer != ''
)
GROUP BY customer;

-- Every (customer, period) of the revenue table, one row per day it covers.
CREATE OR REPLACE VIEW {{database}}.aicost_revenue_period_days{{on_cluster}} AS
SELECT customer, period_start, period_end,
       arrayJoin(arrayMap(i -> period_start + i, range(toUInt32(dateDiff('day', period_start, period_end) + 1)))) AS day
FROM (SELECT DISTINCT customer, period_start, period_end FROM {{database}}.aicost_revenue_current WHERE period_end >= period_start);

-- Gross AI margin per customer and billing period: the revenue of the period (all plans and
-- features of the customer with exactly that period) and the AI cost of the customer's
-- requests on those days. ai_cost_usd is NULL when the customer made requests and none is
-- priced; margin_usd and margin_ratio are NULL when the cost is unknown or the revenue is
-- not in USD; margin_ratio is rounded half up to 9 decimals (NULL for zero revenue).
CREATE OR REPLACE VIEW {{database}}.aicost_customer_margin{{on_cluster}} AS
SELECT
    r.customer AS customer,
    ifNull(s.segment, '') AS segment,
    r.period_start AS period_start,
    r.period_end AS period_end,
    r.currency AS currency,
    r.revenue AS revenue,
    c.requests AS requests,
    c.unpriced_requests AS unpriced_requests,
    if(c.requests > 0 AND c.priced_requests = 0, NULL, c.cost) AS ai_cost_usd,
    if(r.currency != 'USD' OR ai_cost_usd IS NULL, NULL, r.revenue - assumeNotNull(ai_cost_usd)) AS margin_usd,
    if(margin_usd IS NULL OR r.revenue = 0, NULL,
       CAST(round(CAST(assumeNotNull(margin_usd) AS Decimal(38, 18)) / r.revenue, 9) AS Decimal(38, 9))) AS margin_ratio
FROM
(
    SELECT customer, period_start, period_end, currency, sum(amount) AS revenue
    FROM {{database}}.aicost_revenue_current
    GROUP BY customer, period_start, period_end, currency
) AS r
LEFT JOIN
(
    SELECT p.customer AS customer, p.period_start AS period_start, p.period_end AS period_end,
           sum(d.requests) AS requests, sum(d.priced_requests) AS priced_requests,
           sum(d.unpriced_requests) AS unpriced_requests, sum(d.cost_total) AS cost
    FROM {{database}}.aicost_revenue_period_days AS p
    INNER JOIN {{database}}.aicost_rollup_customer_daily AS d ON d.customer = p.customer AND d.day = p.day
    GROUP BY customer, period_start, period_end
) AS c ON c.customer = r.customer AND c.period_start = r.period_start AND c.period_end = r.period_end
LEFT JOIN {{database}}.aicost_customer_segments AS s ON s.customer = r.customer
SETTINGS join_use_nulls = 1;

-- Per segment and billing period: the customers' revenue, AI cost and margin added up.
-- ai_cost_usd sums the known costs; unknown_cost_customers counts those whose cost is unknown
-- (they are left out of cost and margin).
CREATE OR REPLACE VIEW {{database}}.aicost_segment_margin{{on_cluster}} AS
SELECT
    segment, period_start, period_end, currency,
    count() AS customers,
    countIf(m.ai_cost_usd IS NULL) AS unknown_cost_customers,
    sumIf(m.revenue, m.ai_cost_usd IS NOT NULL) AS revenue,
    sumIf(assumeNotNull(m.ai_cost_usd), m.ai_cost_usd IS NOT NULL) AS ai_cost_usd,
    if(currency != 'USD', NULL, revenue - ai_cost_usd) AS margin_usd,
    if(margin_usd IS NULL OR revenue = 0, NULL,
       CAST(round(CAST(assumeNotNull(margin_usd) AS Decimal(38, 18)) / revenue, 9) AS Decimal(38, 9))) AS margin_ratio
FROM {{database}}.aicost_customer_margin AS m
GROUP BY segment, period_start, period_end, currency;

-- Segments whose margin is falling: each segment's billing periods in order, with the margin
-- ratio of the period before and the change; margin_falling when it went down.
CREATE OR REPLACE VIEW {{database}}.aicost_segment_margin_trend{{on_cluster}} AS
SELECT
    segment, period_start, period_end, currency, customers, revenue, ai_cost_usd, margin_usd, margin_ratio,
    lagInFrame(margin_ratio, 1, NULL) OVER w AS previous_margin_ratio,
    margin_ratio - previous_margin_ratio AS margin_ratio_change,
    toBool(ifNull(margin_ratio_change < 0, false)) AS margin_falling
FROM {{database}}.aicost_segment_margin
WINDOW w AS (PARTITION BY segment, currency ORDER BY period_start, period_end ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);

-- Per feature and billing period. Revenue of a feature: the rows billed for that feature,
-- plus each subscription row (feature '') shared among the features the customer used in
-- the period in proportion to their requests; the share is rounded down to the nano-dollar
-- and the rounding remainder goes to the feature with the most requests (then by name), so
-- the shares add up to the subscription exactly. A subscription of a customer with no
-- request in the period stays with feature ''. AI cost: the customer's requests of that
-- feature on those days.
CREATE OR REPLACE VIEW {{database}}.aicost_feature_margin{{on_cluster}} AS
WITH usage AS
(
    SELECT p.customer AS customer, p.period_start AS period_start, p.period_end AS period_end, d.feature AS feature,
           sum(d.requests) AS requests, sum(d.priced_requests) AS priced_requests,
           sum(d.unpriced_requests) AS unpriced_requests, sum(d.cost_total) AS cost
    FROM {{database}}.aicost_revenue_period_days AS p
    INNER JOIN {{database}}.aicost_rollup_daily AS d ON d.customer = p.customer AND d.day = p.day
    GROUP BY customer, period_start, period_end, feature
),
subscription_shares AS
(
    SELECT customer, period_start, period_end, currency, feature,
           share + if(row_number() OVER rows_of_row = 1, toInt128(amount_nanos) - sum(share) OVER whole_row, 0) AS share_nanos
    FROM
    (
        SELECT r.customer AS customer, r.period_start AS period_start, r.period_end AS period_end, r.currency AS currency,
               r.amount_nanos AS amount_nanos, u.feature AS feature, u.requests AS requests,
               intDiv(toInt128(r.amount_nanos) * u.requests, sum(u.requests) OVER (PARTITION BY r.customer, r.period_start, r.period_end, r.currency)) AS share
        FROM
        (
            SELECT customer, period_start, period_end, currency, toInt128(sum(amount) * 1000000000) AS amount_nanos
            FROM {{database}}.aicost_revenue_current
            WHERE feature = ''
            GROUP BY customer, period_start, period_end, currency
        ) AS r
        INNER JOIN usage AS u ON u.customer = r.customer AND u.period_start = r.period_start AND u.period_end = r.period_end
        WHERE u.requests > 0
    )
    WINDOW rows_of_row AS (PARTITION BY customer, period_start, period_end, currency ORDER BY requests DESC, feature),
           whole_row AS (PARTITION BY customer, period_start, period_end, currency)
),
feature_revenue AS
(
    SELECT customer, period_start, period_end, currency, feature, sum(amount) AS revenue
    FROM
    (
        SELECT customer, period_start, period_end, currency, feature, amount
        FROM {{database}}.aicost_revenue_current
        WHERE feature != ''
        UNION ALL
        SELECT customer, period_start, period_end, currency, feature,
               toDecimal128(share_nanos, 0) * toDecimal128('0.000000001', 9) AS amount
        FROM subscription_shares
        UNION ALL
        SELECT customer, period_start, period_end, currency, '' AS feature, amount
        FROM {{database}}.aicost_revenue_current AS r
        WHERE feature = '' AND (customer, period_start, period_end) NOT IN (SELECT customer, period_start, period_end FROM usage WHERE requests > 0)
    )
    GROUP BY customer, period_start, period_end, currency, feature
)
SELECT
    fr.feature AS feature, fr.period_start AS period_start, fr.period_end AS period_end, fr.currency AS currency,
    count() AS customers,
    sum(fr.revenue) AS revenue,
    sum(u.requests) AS requests,
    sum(u.unpriced_requests) AS unpriced_requests,
    if(requests > 0 AND sum(u.priced_requests) = 0, NULL, sum(u.cost)) AS ai_cost_usd,
    if(fr.currency != 'USD' OR ai_cost_usd IS NULL, NULL, revenue - assumeNotNull(ai_cost_usd)) AS margin_usd,
    if(margin_usd IS NULL OR revenue = 0, NULL,
       CAST(round(CAST(assumeNotNull(margin_usd) AS Decimal(38, 18)) / revenue, 9) AS Decimal(38, 9))) AS margin_ratio
FROM feature_revenue AS fr
LEFT JOIN usage AS u ON u.customer = fr.customer AND u.period_start = fr.period_start AND u.period_end = fr.period_end
    AND u.feature = fr.feature
GROUP BY feature, period_start, period_end, currency;
