-- aicost schema: views for SQL users, dashboards and `aicost report`.
--
-- File conventions (every file in collector/sql/; read by `aicost migrate`, the test
-- harness and the compose stack, see collector/README.md "Schema reference"):
-- - files apply in lexical order; every statement is idempotent (IF NOT EXISTS, OR REPLACE);
-- - a statement ends with a line whose last non-blank character is `;`;
-- - lines starting with `--` are comments; there are no placeholders: the database is `otel`.
--
-- Column names here are a public interface (documented in collector/README.md): add
-- columns, do not rename them. Plain views hold no data, so CREATE OR REPLACE upgrades them.
-- Money columns end in `_usd` and are Decimal(38, 9); costs sum priced requests only,
-- `unpriced_requests` says how many requests have no cost, and a group with no priced
-- request at all has cost_usd NULL (unknown), never 0.

-- Spend per UTC day, environment, service and feature (from aicost_rollup_feature_daily).
CREATE OR REPLACE VIEW otel.aicost_cost_by_feature_daily AS
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
FROM otel.aicost_rollup_feature_daily
GROUP BY day, environment, service, feature;

-- Spend per UTC day, environment, service and customer (from aicost_rollup_customer_daily).
CREATE OR REPLACE VIEW otel.aicost_cost_by_customer_daily AS
SELECT
    day, environment, service, customer,
    sum(requests) AS requests,
    sum(priced_requests) AS priced_requests,
    sum(unpriced_requests) AS unpriced_requests,
    if(priced_requests = 0, NULL, sum(cost_total)) AS cost_usd,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens
FROM otel.aicost_rollup_customer_daily
GROUP BY day, environment, service, customer;

-- Cost per request per UTC day, feature and model. cost_per_request_usd averages the
-- PRICED requests (unpriced ones have no cost to average), rounded half up to the nano.
CREATE OR REPLACE VIEW otel.aicost_unit_cost AS
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
FROM otel.aicost_rollup_feature_daily
GROUP BY day, environment, service, feature, provider, model;

-- What prompt caching saved: cache-read tokens priced at the model's input price (valid at
-- the request's time, tier-aware) minus what they were actually charged (cost_cache_read).
-- Covers priced requests whose catalogue row is loaded; savings_usd can be negative only if
-- a price row says cache reads cost more than input.
CREATE OR REPLACE VIEW otel.aicost_cache_savings AS
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
    FROM otel.aicost_requests
    WHERE cache_read_tokens > 0 AND cost_cache_read IS NOT NULL
) AS request
ASOF JOIN otel.aicost_prices_current AS price
    ON price.provider_id = request.price_provider AND price.model_id = request.price_model
    AND request.price_at >= price.valid_from
WHERE (price.valid_to IS NULL OR request.price_at < price.valid_to) AND price.input_mtok IS NOT NULL
GROUP BY day, environment, service, feature, provider, model;

-- Requests without a cost, one row each, with the reason: unknown_model, unknown_provider,
-- missing_usage, ... Load or override the price (then see aicost_requests_repriced) or fix
-- the instrumentation.
CREATE OR REPLACE VIEW otel.aicost_unpriced_requests AS
SELECT
    timestamp, environment, service, provider, operation, model, request_model, response_model,
    cost_status_reason AS reason, has_usage, input_tokens, output_tokens,
    feature, customer, workflow, team, scope_name, usage_source, trace_id, span_id
FROM otel.aicost_requests
WHERE cost_total IS NULL;

-- Every request at TODAY's prices next to its recorded cost. The catalogue row is the one
-- recorded on the request (price_provider_id/model_id), else found through the aliases like
-- at ingest (so requests unpriced then are priced here once their model is known). The rule
-- is the one of 020_requests.sql; keep the two in step.
-- difference_usd = repriced - recorded: positive when today's prices are higher. NULL when
-- either side is unknown.
CREATE OR REPLACE VIEW otel.aicost_requests_repriced AS
SELECT
    timestamp, trace_id, span_id, environment, service, feature, customer, workflow, team,
    provider, operation, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cost_status,
    cost_total AS recorded_cost_usd,
    price_version AS recorded_price_version,
    has_usage AND price_found AND usage_valid AS repriced,
    if(repriced, sql_cost_total, NULL) AS repriced_cost_usd,
    if(repriced, sql_cost_input, NULL) AS repriced_input_usd,
    if(repriced, sql_cost_cache_read, NULL) AS repriced_cache_read_usd,
    if(repriced, sql_cost_cache_write, NULL) AS repriced_cache_write_usd,
    if(repriced, sql_cost_output, NULL) AS repriced_output_usd,
    if(repriced, sql_cost_other, NULL) AS repriced_other_usd,
    if(repriced, row_price_version, '') AS repriced_price_version,
    if(repriced, match_provider_id, '') AS repriced_price_provider_id,
    if(repriced, match_model_id, '') AS repriced_price_model_id,
    repriced_cost_usd - recorded_cost_usd AS difference_usd
FROM
(
-- BEGIN pricing rule, head (the same text in 020_requests.sql and 040_views.sql; a test compares them)
    SELECT
        *,
        -- Leaves: the tokens each priced key is charged for. A kind with its own price is taken
        -- out of the wider kind (cache reads, cache writes, audio and image out of input; the 5m
        -- and 1h cache writes out of cache writes; reasoning, audio and image out of output);
        -- a kind without a price stays in the wider one. As in @aicost/core's costFromSheet.
        if(p_cache_write_5m IS NULL, 0, toInt64(cache_write_5m_tokens)) AS leaf_cache_write_5m,
        if(p_cache_write_1h IS NULL, 0, toInt64(cache_write_1h_tokens)) AS leaf_cache_write_1h,
        if(p_cache_write IS NULL, 0, toInt64(cache_write_tokens) - leaf_cache_write_5m - leaf_cache_write_1h) AS leaf_cache_write,
        if(p_cache_read IS NULL, 0, toInt64(cache_read_tokens)) AS leaf_cache_read,
        if(p_input_audio IS NULL, 0, toInt64(input_audio_tokens)) AS leaf_input_audio,
        if(p_input_image IS NULL, 0, toInt64(input_image_tokens)) AS leaf_input_image,
        if(p_input IS NULL, 0, toInt64(input_tokens) - leaf_cache_read - leaf_cache_write - leaf_cache_write_5m
            - leaf_cache_write_1h - leaf_input_audio - leaf_input_image) AS leaf_input,
        if(p_output_reasoning IS NULL, 0, toInt64(reasoning_tokens)) AS leaf_output_reasoning,
        if(p_output_audio IS NULL, 0, toInt64(output_audio_tokens)) AS leaf_output_audio,
        if(p_output_image IS NULL, 0, toInt64(output_image_tokens)) AS leaf_output_image,
        if(p_output IS NULL, 0, toInt64(output_tokens) - leaf_output_reasoning - leaf_output_audio - leaf_output_image) AS leaf_output,
        if(p_requests IS NULL, 0, toInt64(request_units)) AS leaf_requests,
        -- Parts larger than their whole (e.g. more cache reads than input): invalid usage, no price.
        least(leaf_cache_write_5m, leaf_cache_write_1h, leaf_cache_write, leaf_cache_read, leaf_input_audio,
              leaf_input_image, leaf_input, leaf_output_reasoning, leaf_output_audio, leaf_output_image) >= 0 AS usage_valid,
        -- One line per priced key, each rounded half up to the nano, summed into its component:
        -- round(tokens x USD-per-1M, 3) / 1e6 is round_half_up(tokens x price x 1e9 / 1e6) nano-USD.
        CAST(round(toDecimal128(leaf_input, 0) * ifNull(p_input, 0), 3) / 1000000 AS Decimal(38, 9)) AS sql_cost_input,
        CAST(round(toDecimal128(leaf_cache_read, 0) * ifNull(p_cache_read, 0), 3) / 1000000 AS Decimal(38, 9)) AS sql_cost_cache_read,
        CAST(round(toDecimal128(leaf_cache_write, 0) * ifNull(p_cache_write, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_cache_write_5m, 0) * ifNull(p_cache_write_5m, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_cache_write_1h, 0) * ifNull(p_cache_write_1h, 0), 3) / 1000000 AS Decimal(38, 9)) AS sql_cost_cache_write,
        CAST(round(toDecimal128(leaf_output, 0) * ifNull(p_output, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_output_reasoning, 0) * ifNull(p_output_reasoning, 0), 3) / 1000000 AS Decimal(38, 9)) AS sql_cost_output,
        CAST(round(toDecimal128(leaf_input_audio, 0) * ifNull(p_input_audio, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_input_image, 0) * ifNull(p_input_image, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_output_audio, 0) * ifNull(p_output_audio, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_output_image, 0) * ifNull(p_output_image, 0), 3) / 1000000 AS Decimal(38, 9))
            + CAST(round(toDecimal128(leaf_requests, 0) * ifNull(p_requests, 0) * 1000, 3) / 1000000 AS Decimal(38, 9)) AS sql_cost_other,
        sql_cost_input + sql_cost_cache_read + sql_cost_cache_write + sql_cost_output + sql_cost_other AS sql_cost_total
    FROM
    (
        -- The price row valid at price_at: the period with the latest valid_from <= price_at
        -- (ASOF), provided price_at is before its valid_to.
        SELECT
            matched.*,
            price.row_model_id != '' AND (price.row_valid_to IS NULL OR matched.price_at < price.row_valid_to) AS price_found,
            if(price_found, price.row_input_mtok, NULL) AS input_mtok,
            if(price_found, price.row_cache_read_mtok, NULL) AS cache_read_mtok,
            if(price_found, price.row_cache_write_mtok, NULL) AS cache_write_mtok,
            if(price_found, price.row_cache_write_5m_mtok, NULL) AS cache_write_5m_mtok,
            if(price_found, price.row_cache_write_1h_mtok, NULL) AS cache_write_1h_mtok,
            if(price_found, price.row_output_mtok, NULL) AS output_mtok,
            if(price_found, price.row_output_reasoning_mtok, NULL) AS output_reasoning_mtok,
            if(price_found, price.row_input_audio_mtok, NULL) AS input_audio_mtok,
            if(price_found, price.row_output_audio_mtok, NULL) AS output_audio_mtok,
            if(price_found, price.row_input_image_mtok, NULL) AS input_image_mtok,
            if(price_found, price.row_output_image_mtok, NULL) AS output_image_mtok,
            if(price_found, price.row_requests_kcount, NULL) AS requests_kcount,
            if(price_found, price.row_tier_start_tokens, NULL) AS tier_start_tokens,
            if(price_found, price.row_input_mtok_tier, NULL) AS input_mtok_tier,
            if(price_found, price.row_cache_read_mtok_tier, NULL) AS cache_read_mtok_tier,
            if(price_found, price.row_cache_write_mtok_tier, NULL) AS cache_write_mtok_tier,
            if(price_found, price.row_cache_write_1h_mtok_tier, NULL) AS cache_write_1h_mtok_tier,
            if(price_found, price.row_output_mtok_tier, NULL) AS output_mtok_tier,
            price.row_price_source AS row_price_source,
            price.row_price_version AS row_price_version,
            -- Tiers: above tier_start_tokens input tokens (cache included) the tier price applies
            -- to every token of that kind, as the catalogue defines it.
            tier_start_tokens IS NOT NULL AND input_tokens > tier_start_tokens AS in_tier,
            if(in_tier AND input_mtok_tier IS NOT NULL, input_mtok_tier, input_mtok) AS p_input,
            if(in_tier AND cache_read_mtok_tier IS NOT NULL, cache_read_mtok_tier, cache_read_mtok) AS p_cache_read,
            if(in_tier AND cache_write_mtok_tier IS NOT NULL, cache_write_mtok_tier, cache_write_mtok) AS p_cache_write,
            cache_write_5m_mtok AS p_cache_write_5m,
            if(in_tier AND cache_write_1h_mtok_tier IS NOT NULL, cache_write_1h_mtok_tier, cache_write_1h_mtok) AS p_cache_write_1h,
            if(in_tier AND output_mtok_tier IS NOT NULL, output_mtok_tier, output_mtok) AS p_output,
            output_reasoning_mtok AS p_output_reasoning,
            input_audio_mtok AS p_input_audio,
            output_audio_mtok AS p_output_audio,
            input_image_mtok AS p_input_image,
            output_image_mtok AS p_output_image,
            requests_kcount AS p_requests
        FROM
        (
            -- The catalogue row: the one recorded on the span/request if any, else through the
            -- aliases: response model exact, request model exact, response model longest prefix,
            -- request model longest prefix, response model then request model containing a
            -- `contains` pattern (first in rank order). ('', '') when nothing matches.
            SELECT
                src.*,
                arrayFirst(m -> m.2 != '', [
                    (src.recorded_provider_id, src.recorded_model_id),
                    (response_exact.response_exact_provider_id, response_exact.response_exact_model_id),
                    (request_exact.request_exact_provider_id, request_exact.request_exact_model_id),
                    (prefixes.prefix_provider_ids[arrayFirstIndex(p -> startsWith(lower(src.response_model), p), prefixes.prefix_patterns)],
                     prefixes.prefix_model_ids[arrayFirstIndex(p -> startsWith(lower(src.response_model), p), prefixes.prefix_patterns)]),
                    (prefixes.prefix_provider_ids[arrayFirstIndex(p -> startsWith(lower(src.request_model), p), prefixes.prefix_patterns)],
                     prefixes.prefix_model_ids[arrayFirstIndex(p -> startsWith(lower(src.request_model), p), prefixes.prefix_patterns)]),
                    (contains.contains_provider_ids[arrayFirstIndex(p -> position(lower(src.response_model), p) > 0, contains.contains_patterns)],
                     contains.contains_model_ids[arrayFirstIndex(p -> position(lower(src.response_model), p) > 0, contains.contains_patterns)]),
                    (contains.contains_provider_ids[arrayFirstIndex(p -> position(lower(src.request_model), p) > 0, contains.contains_patterns)],
                     contains.contains_model_ids[arrayFirstIndex(p -> position(lower(src.request_model), p) > 0, contains.contains_patterns)])
                ]) AS price_match,
                price_match.1 AS match_provider_id,
                price_match.2 AS match_model_id
            FROM
            (
-- END pricing rule, head
            SELECT
                *,
                toString(price_provider_id) AS recorded_provider_id,
                toString(price_model_id) AS recorded_model_id,
                toDateTime(now(), 'UTC') AS price_at
            FROM otel.aicost_requests
-- BEGIN pricing rule, tail
            ) AS src
            -- The lookups' columns get names of their own: the source's columns pass through
            -- `src.*` unqualified only if no joined table has a column of the same name.
            LEFT ANY JOIN
            (
                SELECT provider AS response_exact_provider, pattern AS response_exact_pattern,
                       provider_id AS response_exact_provider_id, model_id AS response_exact_model_id
                FROM otel.aicost_price_aliases_exact
            ) AS response_exact
                ON response_exact.response_exact_provider = lower(src.provider)
                AND response_exact.response_exact_pattern = lower(src.response_model)
            LEFT ANY JOIN
            (
                SELECT provider AS request_exact_provider, pattern AS request_exact_pattern,
                       provider_id AS request_exact_provider_id, model_id AS request_exact_model_id
                FROM otel.aicost_price_aliases_exact
            ) AS request_exact
                ON request_exact.request_exact_provider = lower(src.provider)
                AND request_exact.request_exact_pattern = lower(src.request_model)
            LEFT ANY JOIN
            (
                SELECT provider AS prefix_provider, patterns AS prefix_patterns,
                       provider_ids AS prefix_provider_ids, model_ids AS prefix_model_ids
                FROM otel.aicost_price_aliases_prefix
            ) AS prefixes
                ON prefixes.prefix_provider = lower(src.provider)
            LEFT ANY JOIN
            (
                SELECT provider AS contains_provider, patterns AS contains_patterns,
                       provider_ids AS contains_provider_ids, model_ids AS contains_model_ids
                FROM otel.aicost_price_aliases_contains
            ) AS contains
                ON contains.contains_provider = lower(src.provider)
        ) AS matched
        LEFT ASOF JOIN
        (
            SELECT
                provider_id AS row_provider_id, model_id AS row_model_id,
                valid_from AS row_valid_from, valid_to AS row_valid_to,
                input_mtok AS row_input_mtok,
                cache_read_mtok AS row_cache_read_mtok,
                cache_write_mtok AS row_cache_write_mtok,
                cache_write_5m_mtok AS row_cache_write_5m_mtok,
                cache_write_1h_mtok AS row_cache_write_1h_mtok,
                output_mtok AS row_output_mtok,
                output_reasoning_mtok AS row_output_reasoning_mtok,
                input_audio_mtok AS row_input_audio_mtok,
                output_audio_mtok AS row_output_audio_mtok,
                input_image_mtok AS row_input_image_mtok,
                output_image_mtok AS row_output_image_mtok,
                requests_kcount AS row_requests_kcount,
                tier_start_tokens AS row_tier_start_tokens,
                input_mtok_tier AS row_input_mtok_tier,
                cache_read_mtok_tier AS row_cache_read_mtok_tier,
                cache_write_mtok_tier AS row_cache_write_mtok_tier,
                cache_write_1h_mtok_tier AS row_cache_write_1h_mtok_tier,
                output_mtok_tier AS row_output_mtok_tier,
                price_source AS row_price_source, price_version AS row_price_version
            FROM otel.aicost_prices_current
        ) AS price
            ON price.row_provider_id = matched.match_provider_id AND price.row_model_id = matched.match_model_id
            AND matched.price_at >= price.row_valid_from
    )
-- END pricing rule, tail
);
