-- aicost schema: views for SQL users, dashboards and `aicost report`.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Column names here are a public interface (documented in collector/README.md): add
-- columns, do not rename them. Plain views hold no data, so CREATE OR REPLACE upgrades them.
-- Money columns end in `_usd` and are Decimal(38, 9); costs sum priced requests only,
-- `unpriced_requests` says how many requests have no cost, and a group with no priced
-- request at all has cost_usd NULL (unknown), never 0.

-- Spend per UTC day, environment, service and feature (from aicost_rollup_feature_daily).
CREATE OR REPLACE VIEW {{database}}.aicost_cost_by_feature_daily{{on_cluster}} AS
SELECT
    day, environment, service, feature,
    sum(requests) AS requests,
    sum(priced_requests) AS priced_requests,
    sum(unpriced_requests) AS unpriced_requests,
    if(priced_requests = 0, NULL, sum(cost_total)) AS cost_usd,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens
FROM {{database}}.aicost_rollup_feature_daily
GROUP BY day, environment, service, feature;

-- Spend per UTC day, environment, service and customer (from aicost_rollup_customer_daily).
CREATE OR REPLACE VIEW {{database}}.aicost_cost_by_customer_daily{{on_cluster}} AS
SELECT
    day, environment, service, customer,
    sum(requests) AS requests,
    sum(priced_requests) AS priced_requests,
    sum(unpriced_requests) AS unpriced_requests,
    if(priced_requests = 0, NULL, sum(cost_total)) AS cost_usd,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens
FROM {{database}}.aicost_rollup_customer_daily
GROUP BY day, environment, service, customer;

-- Cost per request per UTC day, feature and model. cost_per_request_usd averages the
-- PRICED requests (unpriced ones have no cost to average), rounded half up to the nano.
CREATE OR REPLACE VIEW {{database}}.aicost_unit_cost{{on_cluster}} AS
SELECT
    day, environment, service, feature, provider, model,
    sum(requests) AS requests,
    sum(priced_requests) AS priced_requests,
    if(priced_requests = 0, NULL, sum(cost_total)) AS cost_usd,
    if(priced_requests = 0, NULL,
       CAST(round(CAST(assumeNotNull(cost_usd) AS Decimal(38, 18)) / priced_requests, 9) AS Decimal(38, 9))) AS cost_per_request_usd,
    if(requests = 0, NULL, sum(input_tokens) / requests) AS input_tokens_per_request,
    if(requests = 0, NULL, sum(output_tokens) / requests) AS output_tokens_per_request,
    if(requests = 0, NULL, sum(duration_ns) / requests / 1e9) AS seconds_per_request
FROM {{database}}.aicost_rollup_feature_daily
GROUP BY day, environment, service, feature, provider, model;

-- What prompt caching saved: cache-read tokens priced at the model's input price (valid at
-- the request's time, tier-aware) minus what they were actually charged (cost_cache_read).
-- Covers priced requests whose catalogue row is loaded; savings_usd can be negative only if
-- a price row says cache reads cost more than input.
CREATE OR REPLACE VIEW {{database}}.aicost_cache_savings{{on_cluster}} AS
SELECT
    toDate(request.timestamp, 'UTC') AS day,
    request.environment AS environment,
    request.service AS service,
    request.feature AS feature,
    request.provider AS provider,
    request.model AS model,
    count() AS requests_with_cache_reads,
    sum(request.cache_read_tokens) AS cache_read_tokens,
    sum(CAST(round(toDecimal128(request.cache_read_tokens, 0) * assumeNotNull(
        if(price.tier_start_tokens IS NOT NULL AND request.input_tokens > price.tier_start_tokens
               AND price.input_mtok_tier IS NOT NULL,
           price.input_mtok_tier, price.input_mtok)), 3) / 1000000 AS Decimal(38, 9))) AS cost_at_input_price_usd,
    sum(assumeNotNull(request.cost_cache_read)) AS cache_read_cost_usd,
    cost_at_input_price_usd - cache_read_cost_usd AS savings_usd
FROM
(
    SELECT *, toString(price_provider_id) AS price_provider, toString(price_model_id) AS price_model,
           toDateTime(timestamp, 'UTC') AS price_at
    FROM {{database}}.aicost_requests
    WHERE cache_read_tokens > 0 AND cost_cache_read IS NOT NULL
) AS request
ASOF JOIN {{database}}.aicost_prices_current AS price
    ON price.provider_id = request.price_provider AND price.model_id = request.price_model
    AND request.price_at >= price.valid_from
WHERE (price.valid_to IS NULL OR request.price_at < price.valid_to) AND price.input_mtok IS NOT NULL
GROUP BY day, environment, service, feature, provider, model;

-- Requests without a cost, one row each, with the reason: unknown_model, unknown_provider,
-- missing_usage, ... Load or override the price (then see aicost_requests_repriced) or fix
-- the instrumentation.
CREATE OR REPLACE VIEW {{database}}.aicost_unpriced_requests{{on_cluster}} AS
SELECT
    timestamp, environment, service, provider, operation, model, request_model, response_model,
    cost_status_reason AS reason, has_usage, input_tokens, output_tokens,
    feature, customer, workflow, team, scope_name, usage_source, trace_id, span_id
FROM {{database}}.aicost_requests
WHERE cost_total IS NULL;

-- Every request at TODAY's prices next to its recorded cost. The catalogue row is the one
-- recorded on the request (price_provider_id/model_id), else found through the aliases like
-- at ingest (so requests unpriced then are priced here once their model is known). The rule
-- is the one of 015_pricing.sql, with the joins of aicost_requests_priced_mv (020).
-- difference_usd = repriced - recorded: positive when today's prices are higher. NULL when
-- either side is unknown.
CREATE OR REPLACE VIEW {{database}}.aicost_requests_repriced{{on_cluster}} AS
SELECT
    timestamp, trace_id, span_id, environment, service, feature, customer, workflow, team,
    provider, operation, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cost_status,
    cost_total AS recorded_cost_usd,
    price_version AS recorded_price_version,
    has_usage AND price_found AND sql_cost.1 AND aicost_standard_tier(service_tier) AS repriced,
    if(repriced, sql_cost.7, NULL) AS repriced_cost_usd,
    if(repriced, sql_cost.2, NULL) AS repriced_input_usd,
    if(repriced, sql_cost.3, NULL) AS repriced_cache_read_usd,
    if(repriced, sql_cost.4, NULL) AS repriced_cache_write_usd,
    if(repriced, sql_cost.5, NULL) AS repriced_output_usd,
    if(repriced, sql_cost.6, NULL) AS repriced_other_usd,
    if(repriced, period_price_version, '') AS repriced_price_version,
    if(repriced, match_provider_id, '') AS repriced_price_provider_id,
    if(repriced, match_model_id, '') AS repriced_price_model_id,
    repriced_cost_usd - recorded_cost_usd AS difference_usd
FROM
(
    -- The price period valid at price_at: the latest valid_from <= price_at (ASOF), provided
    -- price_at is before its valid_to.
    SELECT
        matched.*,
        price.period_price_source AS period_price_source,
        price.period_price_version AS period_price_version,
        price.period_model_id != '' AND (price.period_valid_to IS NULL OR matched.price_at < price.period_valid_to) AS price_found,
        aicost_request_cost(
            (input_tokens, cache_read_tokens, cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
             output_tokens, reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens,
             output_image_tokens, request_units),
            price.period_prices) AS sql_cost
    FROM
    (
        SELECT
            src.*,
            toDateTime(now(), 'UTC') AS price_at,
            aicost_price_match(
                (src.price_provider_id, src.price_model_id),
                response_exact.exact_match, request_exact.exact_match, prefixes.prefix_rules, contains.contains_rules,
                src.response_model, src.request_model) AS catalogue_match,
            catalogue_match.1 AS match_provider_id,
            catalogue_match.2 AS match_model_id
        FROM {{database}}.aicost_requests AS src
        LEFT ANY JOIN {{database}}.aicost_price_exact_lookup AS response_exact
            ON response_exact.exact_provider = lower(src.provider) AND response_exact.exact_pattern = lower(src.response_model)
        LEFT ANY JOIN {{database}}.aicost_price_exact_lookup AS request_exact
            ON request_exact.exact_provider = lower(src.provider) AND request_exact.exact_pattern = lower(src.request_model)
        LEFT ANY JOIN {{database}}.aicost_price_prefix_lookup AS prefixes ON prefixes.prefix_provider = lower(src.provider)
        LEFT ANY JOIN {{database}}.aicost_price_contains_lookup AS contains ON contains.contains_provider = lower(src.provider)
    ) AS matched
    LEFT ASOF JOIN {{database}}.aicost_price_periods AS price
        ON price.period_provider_id = matched.match_provider_id AND price.period_model_id = matched.match_model_id
        AND matched.price_at >= price.period_valid_from
);

-- What providers and gateways reported they billed (OpenRouter `usage.cost`, the LiteLLM
-- proxy's cost header) against aicost's list-price total for the same calls, per UTC day,
-- service, provider, model and source. drift_usd = reported - computed (positive: billed
-- more than the list price); drift_ratio = drift / computed, NULL when computed is 0.
-- Totals are summed as Decimal(76, 18), so they cannot wrap.
CREATE OR REPLACE VIEW {{database}}.aicost_reported_cost_drift{{on_cluster}} AS
SELECT
    toDate(timestamp) AS day, environment, service, provider, model, cost_reported_source,
    count() AS requests,
    sum(toDecimal256(cost_reported, 18)) AS reported_usd,
    sum(toDecimal256(cost_computed, 18)) AS computed_usd,
    reported_usd - computed_usd AS drift_usd,
    if(computed_usd = 0, NULL, toFloat64(drift_usd) / toFloat64(computed_usd)) AS drift_ratio
FROM {{database}}.aicost_requests
WHERE cost_reported IS NOT NULL AND cost_computed IS NOT NULL
GROUP BY day, environment, service, provider, model, cost_reported_source;
