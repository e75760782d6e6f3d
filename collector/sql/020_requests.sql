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
-- Delivery is at-least-once (collector retries): a retried batch is dropped here as in
-- otel_traces by insert deduplication (050_deduplication.sql). The (trace_id, span_id) pair
-- identifies a request.
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

-- otel_traces -> aicost_requests, in three hops so that the price lookups run only for the
-- spans that have usage to price (see bench/README.md, "Schema: ingest cost of the request
-- view"):
--
--   otel_traces --aicost_spans_mv--> aicost_spans (Null) --aicost_requests_recorded_mv--> aicost_requests
--                                         |                   (no usage to price)
--                                         +--aicost_spans_to_price_mv--> aicost_spans_to_price (Null)
--                                                  --aicost_requests_priced_mv--> aicost_requests
--                                                   (usage: the span's own cost checked against
--                                                    the catalogue's, or priced here)
--
-- The Null tables hold nothing; each insert block flows through. The pricing view sees only
-- the spans with usage: a block without any builds no price join (a WHERE inside the
-- pricing view would not do: its joins are built before the filter runs). Spans that arrive
-- with their cost go through it too, since a sender's cost is only kept when it is near the
-- catalogue's (016_cost_trust.sql).
-- aicost_spans has the request table's columns (a row as the span reported it: its own cost,
-- status, price source and catalogue ids, `currency` as sent); if you add a column to
-- aicost_requests, add it to both Null tables too.
--
-- Cost, in order:
-- 1. the span carries `aicost.cost.total` and it passes the checks of 016_cost_trust.sql
--    (consistent on its own terms, and near the catalogue's price for the same usage when
--    there is one): that cost, status and provenance are kept as is;
-- 2. else the span has usage and its (provider, model) resolves to a price row valid at the
--    span's start: priced here, status `priced`, price source `clickhouse:<row source>`
--    (e.g. `clickhouse:genai-prices`), price version and catalogue ids of the row;
-- 3. else unpriced: NULL cost (never 0), `invalid_cost` when the span's own cost was refused,
--    else the span's reason if it gave one, else `missing_usage` (no token counts),
--    `invalid_usage` (parts larger than their whole) or `unknown_model` (no alias or no price
--    row valid at that time). A refused cost re-priced in step 2 keeps `invalid_cost` as reason.
-- The pricing rule (step 2) is defined once, in 015_pricing.sql; aicost_requests_repriced
-- (040) applies the same functions.
CREATE TABLE IF NOT EXISTS otel.aicost_spans AS otel.aicost_requests ENGINE = Null;

CREATE TABLE IF NOT EXISTS otel.aicost_spans_to_price AS otel.aicost_requests ENGINE = Null;

-- Until 0.x the whole path was one view, aicost_requests_mv; an upgrade replaces it.
DROP VIEW IF EXISTS otel.aicost_requests_mv;

-- Which spans: model calls, i.e. spans with a GenAI operation, provider (or legacy system) or
-- token usage; agent and tool spans (invoke_agent, create_agent, execute_tool) are left out
-- because their usage, when they carry any, aggregates the model calls below them and would
-- be counted twice. Typed columns out of the exporter's string maps.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel.aicost_spans_mv TO otel.aicost_spans AS
SELECT
    Timestamp AS timestamp,
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
    SpanAttributes['aicost.cost.currency'] AS currency,
    toDecimal128OrNull(SpanAttributes['aicost.cost.total'], 9) AS cost_total,
    toDecimal128OrNull(SpanAttributes['aicost.cost.input'], 9) AS cost_input,
    toDecimal128OrNull(SpanAttributes['aicost.cost.cache_read'], 9) AS cost_cache_read,
    toDecimal128OrNull(SpanAttributes['aicost.cost.cache_write'], 9) AS cost_cache_write,
    toDecimal128OrNull(SpanAttributes['aicost.cost.output'], 9) AS cost_output,
    toDecimal128OrNull(SpanAttributes['aicost.cost.other'], 9) AS cost_other,
    SpanAttributes['aicost.cost.status'] AS cost_status,
    SpanAttributes['aicost.cost.status_reason'] AS cost_status_reason,
    SpanAttributes['aicost.price.source'] AS price_source,
    SpanAttributes['aicost.price.version'] AS price_version,
    SpanAttributes['aicost.price.provider_id'] AS price_provider_id,
    SpanAttributes['aicost.price.model_id'] AS price_model_id,
    SpanAttributes['aicost.feature'] AS feature,
    SpanAttributes['aicost.customer'] AS customer,
    SpanAttributes['aicost.workflow'] AS workflow,
    SpanAttributes['aicost.team'] AS team,
    mapApply((k, v) -> (substring(k, 13), v),
             mapFilter((k, v) -> startsWith(k, 'aicost.attr.'), SpanAttributes)) AS custom_attribution,
    -- Ours first; SDKs that trace themselves write the GenAI name.
    if(mapContains(SpanAttributes, 'aicost.request.stream'),
       SpanAttributes['aicost.request.stream'],
       SpanAttributes['gen_ai.request.stream']) = 'true' AS stream,
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
       OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens'));

-- Spans without usage: nothing to price, their own cost kept when consistent (016).
CREATE MATERIALIZED VIEW IF NOT EXISTS otel.aicost_requests_recorded_mv TO otel.aicost_requests AS
WITH aicost_sent_cost_verdict(
         (span.cost_total, span.cost_input, span.cost_cache_read, span.cost_cache_write, span.cost_output, span.cost_other),
         span.currency, span.cost_status, false, 0) AS sent_cost_verdict,
     sent_cost_verdict = 'kept' AS recorded
SELECT
    timestamp, trace_id, span_id, parent_span_id, span_name, scope_name, service, environment,
    provider, operation, request_model, response_model, model, response_id, server_address,
    has_usage, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens,
    output_audio_tokens, input_image_tokens, output_image_tokens, request_units, usage_source,
    -- Every amount stored is USD: a cost in another currency is refused (016).
    'USD' AS currency,
    if(recorded, span.cost_total, NULL) AS cost_total,
    if(recorded, span.cost_input, NULL) AS cost_input,
    if(recorded, span.cost_cache_read, NULL) AS cost_cache_read,
    if(recorded, span.cost_cache_write, NULL) AS cost_cache_write,
    if(recorded, span.cost_output, NULL) AS cost_output,
    if(recorded, span.cost_other, NULL) AS cost_other,
    if(recorded, if(span.cost_status != '', span.cost_status, 'priced'), 'unpriced') AS cost_status,
    multiIf(recorded OR (sent_cost_verdict = 'absent' AND span.cost_status_reason != ''), span.cost_status_reason,
            sent_cost_verdict = 'invalid', 'invalid_cost', 'missing_usage') AS cost_status_reason,
    if(recorded, span.price_source, '') AS price_source,
    if(recorded, span.price_version, '') AS price_version,
    if(recorded, span.price_provider_id, '') AS price_provider_id,
    if(recorded, span.price_model_id, '') AS price_model_id,
    feature, customer, workflow, team, custom_attribution, stream, duration_ns,
    time_to_first_chunk_s, error_type, status_code
FROM otel.aicost_spans AS span
WHERE NOT span.has_usage;

-- Spans with usage, with or without a cost of their own: on to the pricing view, which
-- checks a sent cost against the catalogue's (016).
CREATE MATERIALIZED VIEW IF NOT EXISTS otel.aicost_spans_to_price_mv TO otel.aicost_spans_to_price AS
SELECT *
FROM otel.aicost_spans
WHERE has_usage;

-- The span's own cost when it passes the checks of 016 (kept as sent), else priced here when
-- the catalogue row is found and the usage is consistent, else unpriced.
-- The two joins find the catalogue row (aliases) and its price period at the span's start;
-- 040's aicost_requests_repriced runs the same joins over aicost_requests at today's time.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel.aicost_requests_priced_mv TO otel.aicost_requests AS
WITH price_found AND sql_cost.1 AS priced_here,
     aicost_sent_cost_verdict(sent_cost, sent_terms.1, sent_terms.2, priced_here, sql_cost.7) AS sent_cost_verdict,
     sent_cost_verdict = 'kept' AS kept
SELECT
    timestamp, trace_id, span_id, parent_span_id, span_name, scope_name, service, environment,
    provider, operation, request_model, response_model, model, response_id, server_address,
    has_usage, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
    cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens,
    output_audio_tokens, input_image_tokens, output_image_tokens, request_units, usage_source,
    'USD' AS currency,
    multiIf(kept, sent_cost.1, priced_here, sql_cost.7, NULL) AS cost_total,
    multiIf(kept, sent_cost.2, priced_here, sql_cost.2, NULL) AS cost_input,
    multiIf(kept, sent_cost.3, priced_here, sql_cost.3, NULL) AS cost_cache_read,
    multiIf(kept, sent_cost.4, priced_here, sql_cost.4, NULL) AS cost_cache_write,
    multiIf(kept, sent_cost.5, priced_here, sql_cost.5, NULL) AS cost_output,
    multiIf(kept, sent_cost.6, priced_here, sql_cost.6, NULL) AS cost_other,
    multiIf(kept, sent_provenance.1, priced_here, 'priced', 'unpriced') AS cost_status,
    multiIf(kept, sent_provenance.2, sent_cost_verdict = 'invalid', 'invalid_cost', priced_here, '',
            sent_provenance.2 != '', sent_provenance.2, price_found AND NOT sql_cost.1, 'invalid_usage',
            'unknown_model') AS cost_status_reason,
    multiIf(kept, sent_provenance.3, priced_here, concat('clickhouse:', period_price_source), '') AS price_source,
    multiIf(kept, sent_provenance.4, priced_here, period_price_version, '') AS price_version,
    multiIf(kept, sent_provenance.5, priced_here, match_provider_id, '') AS price_provider_id,
    multiIf(kept, sent_provenance.6, priced_here, match_model_id, '') AS price_model_id,
    feature, customer, workflow, team, custom_attribution, stream, duration_ns,
    time_to_first_chunk_s, error_type, status_code
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
            price.period_prices) AS sql_cost,
        -- The span's own cost, currency and status as sent, and its provenance, under names the
        -- outer columns do not take. The verdict on them (016) is taken in the outer query, where
        -- sql_cost is a column: an alias here would be inlined into every use of it.
        (matched.cost_total, matched.cost_input, matched.cost_cache_read, matched.cost_cache_write,
         matched.cost_output, matched.cost_other) AS sent_cost,
        (matched.currency, matched.cost_status) AS sent_terms,
        (if(matched.cost_status != '', matched.cost_status, 'priced'), matched.cost_status_reason,
         matched.price_source, matched.price_version, matched.price_provider_id, matched.price_model_id) AS sent_provenance
    FROM
    (
        SELECT
            src.*,
            toDateTime(src.timestamp, 'UTC') AS price_at,
            aicost_price_match(
                (src.price_provider_id, src.price_model_id),
                response_exact.exact_match, request_exact.exact_match, prefixes.prefix_rules, contains.contains_rules,
                src.response_model, src.request_model) AS price_match,
            price_match.1 AS match_provider_id,
            price_match.2 AS match_model_id
        FROM otel.aicost_spans_to_price AS src
        LEFT ANY JOIN otel.aicost_price_exact_lookup AS response_exact
            ON response_exact.exact_provider = lower(src.provider) AND response_exact.exact_pattern = lower(src.response_model)
        LEFT ANY JOIN otel.aicost_price_exact_lookup AS request_exact
            ON request_exact.exact_provider = lower(src.provider) AND request_exact.exact_pattern = lower(src.request_model)
        LEFT ANY JOIN otel.aicost_price_prefix_lookup AS prefixes ON prefixes.prefix_provider = lower(src.provider)
        LEFT ANY JOIN otel.aicost_price_contains_lookup AS contains ON contains.contains_provider = lower(src.provider)
    ) AS matched
    LEFT ASOF JOIN otel.aicost_price_periods AS price
        ON price.period_provider_id = matched.match_provider_id AND price.period_model_id = matched.match_model_id
        AND matched.price_at >= price.period_valid_from
);
