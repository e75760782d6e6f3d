-- aicost schema: the request table, one typed row per GenAI model call.
--
-- File conventions (every file in collector/sql/; read by `aicost migrate`, the test
-- harness and the compose stack, see collector/README.md "Schema reference"):
-- - files apply in lexical order; every statement is idempotent (IF NOT EXISTS, OR REPLACE);
-- - a statement ends with a line whose last non-blank character is `;`;
-- - lines starting with `--` are comments; there are no placeholders: the database is `otel`.
--
-- Attribute names are those of packages/core/src/semconv.ts (the contract): change both
-- together. The exporter stores every attribute value as a string, hence the
-- `toUInt64OrZero` / `toDecimal128OrNull(..., 9)` parsing below.

-- Why these keys:
-- - PARTITION BY month: a year of data is a dozen partitions; old months drop whole.
-- - ORDER BY (environment, service, hour, feature, customer, timestamp): the dominant queries
--   are "one environment (prod), a time range, grouped or filtered by feature/customer";
--   environment and service have a handful of values, so the hour still prunes granules.
-- - TTL 400 days: a year of per-request detail plus a month for year-over-year comparisons.
--   The rollups (030) keep the totals for longer. Change it with
--   `ALTER TABLE otel.aicost_requests MODIFY TTL ...`.
-- - Money is Decimal(38, 9) (Decimal128, nano-USD): exact, and wide enough that sums over
--   billions of requests cannot overflow. NULL cost means unknown, never 0.
-- Delivery is at-least-once (collector retries): a retried batch can duplicate rows here as
-- it does in otel_traces. The (trace_id, span_id) pair identifies a request.
CREATE TABLE IF NOT EXISTS otel.aicost_requests
(
    timestamp DateTime64(9, 'UTC') COMMENT 'span start' CODEC(Delta, ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    parent_span_id String CODEC(ZSTD(1)),
    span_name LowCardinality(String),
    scope_name LowCardinality(String) COMMENT 'instrumentation that produced the span',
    service LowCardinality(String) COMMENT 'resource service.name',
    environment LowCardinality(String) COMMENT 'resource deployment.environment.name, else deployment.environment',
    provider LowCardinality(String) COMMENT 'gen_ai.provider.name, else legacy gen_ai.system',
    operation LowCardinality(String) COMMENT 'gen_ai.operation.name',
    request_model LowCardinality(String),
    response_model LowCardinality(String),
    model LowCardinality(String) COMMENT 'response model if known, else request model',
    response_id String CODEC(ZSTD(1)),
    server_address LowCardinality(String),
    has_usage Bool COMMENT 'the span reported input or output tokens',
    input_tokens UInt64 COMMENT 'all input tokens, cache and audio/image included (semconv)',
    output_tokens UInt64 COMMENT 'all output tokens, reasoning included (semconv)',
    cache_read_tokens UInt64,
    cache_write_tokens UInt64 COMMENT 'all cache-creation tokens',
    cache_write_5m_tokens UInt64,
    cache_write_1h_tokens UInt64,
    reasoning_tokens UInt64,
    input_audio_tokens UInt64,
    output_audio_tokens UInt64,
    input_image_tokens UInt64,
    output_image_tokens UInt64,
    request_units UInt64 COMMENT 'billable request units, 1 for an ordinary call',
    usage_source LowCardinality(String) COMMENT 'aicost.usage.source',
    currency LowCardinality(String),
    cost_total Nullable(Decimal(38, 9)) COMMENT 'USD; NULL when unpriced',
    cost_input Nullable(Decimal(38, 9)) COMMENT 'uncached input tokens',
    cost_cache_read Nullable(Decimal(38, 9)),
    cost_cache_write Nullable(Decimal(38, 9)),
    cost_output Nullable(Decimal(38, 9)) COMMENT 'output tokens, reasoning included',
    cost_other Nullable(Decimal(38, 9)) COMMENT 'audio, image, per-request fees',
    cost_status LowCardinality(String) COMMENT 'priced, unpriced, estimated, provider_reported, override',
    cost_status_reason LowCardinality(String),
    price_source LowCardinality(String) COMMENT 'as on the span, or clickhouse:<source> when priced at ingest',
    price_version LowCardinality(String),
    price_provider_id LowCardinality(String),
    price_model_id LowCardinality(String),
    feature LowCardinality(String),
    customer String,
    workflow LowCardinality(String),
    team LowCardinality(String),
    custom_attribution Map(LowCardinality(String), String) COMMENT 'aicost.attr.* attributes, prefix removed',
    stream Bool,
    duration_ns UInt64 COMMENT 'span duration (exporter Duration), nanoseconds',
    time_to_first_chunk_s Nullable(Float64) COMMENT 'seconds to the first streamed chunk',
    error_type LowCardinality(String),
    status_code LowCardinality(String) COMMENT 'Unset, Ok or Error',
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_model model TYPE set(256) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, service, toStartOfHour(timestamp), feature, customer, timestamp)
TTL toDateTime(timestamp) + INTERVAL 400 DAY
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

-- otel_traces -> aicost_requests. Which spans: model calls, i.e. spans with a GenAI
-- operation, provider (or legacy system) or token usage; agent and tool spans
-- (invoke_agent, create_agent, execute_tool) are left out because their usage, when they
-- carry any, aggregates the model calls below them and would be counted twice.
--
-- Cost, in order:
-- 1. the span carries `aicost.cost.total`: that cost, status and provenance are kept as is;
-- 2. else the span has usage and its (provider, model) resolves to a price row valid at the
--    span's start: priced here, status `priced`, price source `clickhouse:<row source>`
--    (e.g. `clickhouse:genai-prices`), price version and catalogue ids of the row;
-- 3. else unpriced: NULL cost (never 0), the span's reason if it gave one, else
--    `missing_usage` (no token counts), `invalid_usage` (parts larger than their whole) or
--    `unknown_model` (no alias or no price row valid at that time).
-- The pricing rule (step 2) is @aicost/core's costFromSheet in SQL: same unit hierarchy, same
-- tier rule, one line per price key rounded half up to the nano, lines summed into the five
-- components. The block between the BEGIN/END markers is the same text in 040_views.sql
-- (aicost_requests_repriced); test/schema checks that they stay identical.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel.aicost_requests_mv TO otel.aicost_requests AS
WITH
    span_cost_total IS NOT NULL AS recorded,
    NOT recorded AND has_usage AND price_found AND usage_valid AS priced_here
SELECT
    timestamp, trace_id, span_id, parent_span_id, span_name, scope_name, service, environment,
    provider, operation, request_model, response_model, model, response_id, server_address,
    has_usage, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens,
    output_audio_tokens, input_image_tokens, output_image_tokens, request_units, usage_source,
    if(span_currency != '', span_currency, 'USD') AS currency,
    multiIf(recorded, span_cost_total, priced_here, sql_cost_total, NULL) AS cost_total,
    multiIf(recorded, span_cost_input, priced_here, sql_cost_input, NULL) AS cost_input,
    multiIf(recorded, span_cost_cache_read, priced_here, sql_cost_cache_read, NULL) AS cost_cache_read,
    multiIf(recorded, span_cost_cache_write, priced_here, sql_cost_cache_write, NULL) AS cost_cache_write,
    multiIf(recorded, span_cost_output, priced_here, sql_cost_output, NULL) AS cost_output,
    multiIf(recorded, span_cost_other, priced_here, sql_cost_other, NULL) AS cost_other,
    multiIf(recorded, if(span_status != '', span_status, 'priced'), priced_here, 'priced', 'unpriced') AS cost_status,
    multiIf(recorded, span_status_reason, priced_here, '', span_status_reason != '', span_status_reason,
            NOT has_usage, 'missing_usage', price_found AND NOT usage_valid, 'invalid_usage',
            'unknown_model') AS cost_status_reason,
    multiIf(recorded, span_price_source, priced_here, concat('clickhouse:', row_price_source), '') AS price_source,
    multiIf(recorded, span_price_version, priced_here, row_price_version, '') AS price_version,
    multiIf(recorded, recorded_provider_id, priced_here, match_provider_id, '') AS price_provider_id,
    multiIf(recorded, recorded_model_id, priced_here, match_model_id, '') AS price_model_id,
    feature, customer, workflow, team, custom_attribution, stream, duration_ns,
    time_to_first_chunk_s, error_type, status_code
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
            -- Step 1: typed columns out of the exporter's string maps.
            SELECT
                Timestamp AS timestamp,
                toDateTime(Timestamp, 'UTC') AS price_at,
                TraceId AS trace_id,
                SpanId AS span_id,
                ParentSpanId AS parent_span_id,
                SpanName AS span_name,
                ScopeName AS scope_name,
                ResourceAttributes['service.name'] AS service,
                if(ResourceAttributes['deployment.environment.name'] != '',
                   ResourceAttributes['deployment.environment.name'],
                   ResourceAttributes['deployment.environment']) AS environment,
                if(SpanAttributes['gen_ai.provider.name'] != '',
                   SpanAttributes['gen_ai.provider.name'],
                   SpanAttributes['gen_ai.system']) AS provider,
                SpanAttributes['gen_ai.operation.name'] AS operation,
                SpanAttributes['gen_ai.request.model'] AS request_model,
                SpanAttributes['gen_ai.response.model'] AS response_model,
                if(response_model != '', response_model, request_model) AS model,
                SpanAttributes['gen_ai.response.id'] AS response_id,
                SpanAttributes['server.address'] AS server_address,
                mapContains(SpanAttributes, 'gen_ai.usage.input_tokens')
                    OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens') AS has_usage,
                toUInt64OrZero(SpanAttributes['gen_ai.usage.input_tokens']) AS input_tokens,
                toUInt64OrZero(SpanAttributes['gen_ai.usage.output_tokens']) AS output_tokens,
                toUInt64OrZero(SpanAttributes['gen_ai.usage.cache_read.input_tokens']) AS cache_read_tokens,
                toUInt64OrZero(SpanAttributes['gen_ai.usage.cache_creation.input_tokens']) AS cache_write_tokens,
                toUInt64OrZero(SpanAttributes['aicost.usage.cache_creation_5m.input_tokens']) AS cache_write_5m_tokens,
                toUInt64OrZero(SpanAttributes['aicost.usage.cache_creation_1h.input_tokens']) AS cache_write_1h_tokens,
                toUInt64OrZero(SpanAttributes['gen_ai.usage.reasoning.output_tokens']) AS reasoning_tokens,
                toUInt64OrZero(SpanAttributes['aicost.usage.audio.input_tokens']) AS input_audio_tokens,
                toUInt64OrZero(SpanAttributes['aicost.usage.audio.output_tokens']) AS output_audio_tokens,
                toUInt64OrZero(SpanAttributes['aicost.usage.image.input_tokens']) AS input_image_tokens,
                toUInt64OrZero(SpanAttributes['aicost.usage.image.output_tokens']) AS output_image_tokens,
                if(mapContains(SpanAttributes, 'aicost.usage.requests'),
                   toUInt64OrZero(SpanAttributes['aicost.usage.requests']), 1) AS request_units,
                SpanAttributes['aicost.usage.source'] AS usage_source,
                SpanAttributes['aicost.cost.currency'] AS span_currency,
                toDecimal128OrNull(SpanAttributes['aicost.cost.total'], 9) AS span_cost_total,
                toDecimal128OrNull(SpanAttributes['aicost.cost.input'], 9) AS span_cost_input,
                toDecimal128OrNull(SpanAttributes['aicost.cost.cache_read'], 9) AS span_cost_cache_read,
                toDecimal128OrNull(SpanAttributes['aicost.cost.cache_write'], 9) AS span_cost_cache_write,
                toDecimal128OrNull(SpanAttributes['aicost.cost.output'], 9) AS span_cost_output,
                toDecimal128OrNull(SpanAttributes['aicost.cost.other'], 9) AS span_cost_other,
                SpanAttributes['aicost.cost.status'] AS span_status,
                SpanAttributes['aicost.cost.status_reason'] AS span_status_reason,
                SpanAttributes['aicost.price.source'] AS span_price_source,
                SpanAttributes['aicost.price.version'] AS span_price_version,
                SpanAttributes['aicost.price.provider_id'] AS recorded_provider_id,
                SpanAttributes['aicost.price.model_id'] AS recorded_model_id,
                SpanAttributes['aicost.feature'] AS feature,
                SpanAttributes['aicost.customer'] AS customer,
                SpanAttributes['aicost.workflow'] AS workflow,
                SpanAttributes['aicost.team'] AS team,
                mapApply((k, v) -> (substring(k, 13), v),
                         mapFilter((k, v) -> startsWith(k, 'aicost.attr.'), SpanAttributes)) AS custom_attribution,
                SpanAttributes['aicost.request.stream'] = 'true' AS stream,
                Duration AS duration_ns,
                toFloat64OrNull(SpanAttributes['aicost.response.time_to_first_chunk']) AS time_to_first_chunk_s,
                SpanAttributes['error.type'] AS error_type,
                StatusCode AS status_code
            FROM otel.otel_traces
            WHERE SpanAttributes['gen_ai.operation.name'] NOT IN ('invoke_agent', 'create_agent', 'execute_tool')
              AND (mapContains(SpanAttributes, 'gen_ai.operation.name')
                   OR mapContains(SpanAttributes, 'gen_ai.provider.name')
                   OR mapContains(SpanAttributes, 'gen_ai.system')
                   OR mapContains(SpanAttributes, 'gen_ai.usage.input_tokens')
                   OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens'))
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
