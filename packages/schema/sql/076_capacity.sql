-- aicost schema: hybrid capacity. Self-hosted GPUs and committed (provisioned) capacity cost
-- the same every hour whether or not they serve requests; this file spreads that cost over
-- the requests each pool served and shows what no request used.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Which pool served a request: its `aicost.attr.pool` attribution (withAttribution({ pool })),
-- else its `server.address` (the host of a vLLM or TGI server), when a capacity row names
-- that pool for the request's hour. Other requests are provider-API requests (their own cost).
--
-- Allocation, per pool and UTC hour: the hour's capacity cost C (units x unit_usd_per_hour,
-- summed over the pool's rows covering the hour) is split over the requests of that pool
-- and hour in proportion to their tokens (input + output): request i gets
-- floor(C x tokens_i / total_tokens) nano-USD. What is left (an hour with no request, or the
-- sub-nano rounding remainder, at most one nano-dollar per request) is idle. So per pool and
-- hour allocated + idle = C exactly, and a request only ever shares its own pool's cost.

CREATE TABLE IF NOT EXISTS {{database}}.aicost_capacity{{on_cluster}}
(
    pool LowCardinality(String) COMMENT 'the pool name requests carry (aicost.attr.pool) or a server.address',
    tier LowCardinality(String) COMMENT 'self_hosted, cloud_gpu or provisioned; one per pool',
    units UInt32 COMMENT 'GPUs or provisioned units',
    unit_usd_per_hour Decimal(38, 9) COMMENT 'USD per unit and hour',
    valid_from DateTime('UTC') COMMENT 'first hour (inclusive), on the hour',
    valid_to DateTime('UTC') COMMENT 'end (exclusive), on the hour',
    source String COMMENT 'the file it was loaded from',
    loaded_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (pool, valid_from);

-- One row per pool and UTC hour of capacity, with the hour's cost.
CREATE OR REPLACE VIEW {{database}}.aicost_capacity_hours{{on_cluster}} AS
SELECT pool, hour, any(tier) AS tier, sum(units) AS units, sum(hour_cost) AS capacity_cost_usd
FROM
(
    SELECT pool, tier, units, CAST(units * unit_usd_per_hour AS Decimal(38, 9)) AS hour_cost,
           arrayJoin(arrayMap(i -> valid_from + toIntervalHour(i),
                              range(toUInt32(greatest(dateDiff('hour', valid_from, valid_to), 0))))) AS hour
    FROM {{database}}.aicost_capacity FINAL
)
GROUP BY pool, hour;

-- Every request served by a capacity pool, with its share of the pool-hour's cost.
CREATE OR REPLACE VIEW {{database}}.aicost_capacity_allocation{{on_cluster}} AS
SELECT
    timestamp, trace_id, span_id, pool, hour, tier, environment, service, feature, customer, model, model_family,
    tokens, pool_hour_tokens, capacity_cost_usd,
    toDecimal128(allocated_nanos, 0) * toDecimal128('0.000000001', 9) AS allocated_cost_usd
FROM
(
    SELECT
        r.*, h.tier AS tier, h.capacity_cost_usd AS capacity_cost_usd,
        sum(r.tokens) OVER (PARTITION BY r.pool, r.hour) AS pool_hour_tokens,
        if(pool_hour_tokens = 0, toInt128(0),
           intDiv(toInt128(h.capacity_cost_usd * 1000000000) * toInt128(r.tokens), toInt128(pool_hour_tokens))) AS allocated_nanos
    FROM
    (
        SELECT timestamp, trace_id, span_id, environment, service, feature, customer, model,
               if(custom_attribution['model_family'] != '', custom_attribution['model_family'], model) AS model_family,
               if(custom_attribution['pool'] != '', custom_attribution['pool'], server_address) AS pool,
               toStartOfHour(timestamp) AS hour,
               input_tokens + output_tokens AS tokens
        FROM {{database}}.aicost_requests
        WHERE custom_attribution['pool'] != '' OR server_address != ''
    ) AS r
    INNER JOIN {{database}}.aicost_capacity_hours AS h ON h.pool = r.pool AND h.hour = r.hour
);

-- Per pool and UTC hour: capacity cost, what its requests were allocated, and idle =
-- capacity - allocated (exact). utilisation = allocated / capacity, for display.
CREATE OR REPLACE VIEW {{database}}.aicost_capacity_utilisation{{on_cluster}} AS
SELECT
    h.pool AS pool, h.hour AS hour, h.tier AS tier, h.units AS units,
    h.capacity_cost_usd AS capacity_cost_usd,
    ifNull(a.requests, 0) AS requests,
    ifNull(a.tokens, 0) AS tokens,
    CAST(ifNull(a.allocated, 0) AS Decimal(38, 9)) AS allocated_usd,
    h.capacity_cost_usd - allocated_usd AS idle_usd,
    if(h.capacity_cost_usd = 0, NULL, toFloat64(allocated_usd) / toFloat64(h.capacity_cost_usd)) AS utilisation
FROM {{database}}.aicost_capacity_hours AS h
LEFT JOIN
(
    SELECT pool, hour, count() AS requests, sum(tokens) AS tokens, sum(allocated_cost_usd) AS allocated
    FROM {{database}}.aicost_capacity_allocation
    GROUP BY pool, hour
) AS a ON a.pool = h.pool AND a.hour = h.hour
SETTINGS join_use_nulls = 1;

-- Effective cost per 1M tokens by tier, model family and UTC hour of day: capacity tiers at
-- the cost allocated to their requests (idle hours are in aicost_capacity_utilisation), the
-- provider API at the priced requests' own cost. Model family: the request's
-- `aicost.attr.model_family` attribution, else its model. cost_per_mtok_usd is rounded half
-- up to the nano-dollar.
CREATE OR REPLACE VIEW {{database}}.aicost_tier_cost_per_mtok{{on_cluster}} AS
SELECT
    tier, model_family, hour_of_day,
    count() AS requests,
    sum(tokens) AS tokens,
    sum(cost) AS cost_usd,
    if(tokens = 0, NULL,
       CAST(round(CAST(cost_usd AS Decimal(38, 18)) * 1000000 / tokens, 9) AS Decimal(38, 9))) AS cost_per_mtok_usd
FROM
(
    SELECT tier, model_family, toHour(hour) AS hour_of_day, tokens, allocated_cost_usd AS cost
    FROM {{database}}.aicost_capacity_allocation
    UNION ALL
    SELECT 'provider_api' AS tier,
           if(custom_attribution['model_family'] != '', custom_attribution['model_family'], model) AS model_family,
           toHour(timestamp) AS hour_of_day,
           input_tokens + output_tokens AS tokens,
           assumeNotNull(cost_total) AS cost
    FROM {{database}}.aicost_requests
    WHERE cost_total IS NOT NULL
      AND (trace_id, span_id) NOT IN (SELECT trace_id, span_id FROM {{database}}.aicost_capacity_allocation)
)
GROUP BY tier, model_family, hour_of_day;
