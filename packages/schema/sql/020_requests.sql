-- aicost schema: the request table, one typed row per GenAI model call.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
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
CREATE TABLE IF NOT EXISTS {{database}}.aicost_requests{{local}}{{on_cluster}}
(
    {{request_columns}},
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_model model TYPE set(256) GRANULARITY 4
)
ENGINE = {{replicated}}MergeTree
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
-- status, price source and catalogue ids, `currency` as sent). The column lists of the table
-- and of the three views that fill it come from one manifest, src/request-columns.ts (the
-- request_columns, span_columns, recorded_columns and priced_columns parameters): add a
-- column there, not here.
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
--    `invalid_usage` (a count that is not one, above 1e12, or parts larger than their whole:
--    usage @aicost/core refuses, found before the price) or `unknown_model` (no alias or no
--    price row valid at that time). A refused cost re-priced in step 2 keeps `invalid_cost` as reason.
-- The pricing rule (step 2) is defined once, in 015_pricing.sql; aicost_requests_repriced
-- (040) applies the same functions.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_spans{{on_cluster}} AS {{database}}.aicost_requests{{local}} ENGINE = Null;

CREATE TABLE IF NOT EXISTS {{database}}.aicost_spans_to_price{{on_cluster}} AS {{database}}.aicost_requests{{local}} ENGINE = Null;

-- The sender's cost as sent, for the pricing view to judge (016): the Null tables' cost
-- columns carry it only for spans without usage (see src/request-columns.ts, costWithoutUsage).
ALTER TABLE {{database}}.aicost_spans{{on_cluster}}
    ADD COLUMN IF NOT EXISTS sent_cost_total Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_input Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_cache_read Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_cache_write Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_output Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_other Nullable(Decimal(38, 9));

ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}}
    ADD COLUMN IF NOT EXISTS sent_cost_total Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_input Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_cache_read Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_cache_write Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_output Nullable(Decimal(38, 9)),
    ADD COLUMN IF NOT EXISTS sent_cost_other Nullable(Decimal(38, 9));

-- Whether the span's token counts are all readable (src/request-columns.ts, usage_readable):
-- counts that are not are 0 in the count columns, and the pricing view calls the usage invalid.
ALTER TABLE {{database}}.aicost_spans{{on_cluster}}
    ADD COLUMN IF NOT EXISTS usage_readable Bool DEFAULT true;

ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}}
    ADD COLUMN IF NOT EXISTS usage_readable Bool DEFAULT true;

-- The span's server.port (src/request-columns.ts, server_port): with server_address it decides
-- who prices the call (a user's host:port mapping, 012_routing.sql).
ALTER TABLE {{database}}.aicost_spans{{on_cluster}}
    ADD COLUMN IF NOT EXISTS server_port String DEFAULT '';

ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}}
    ADD COLUMN IF NOT EXISTS server_port String DEFAULT '';

-- Until 0.x the whole path was one view, aicost_requests_mv; an upgrade replaces it.
DROP VIEW IF EXISTS {{database}}.aicost_requests_mv{{on_cluster}};

-- Whether a span is ONE model call rather than a span around calls (agent, step, workflow,
-- task, tool), whose usage, when it carries any, repeats the calls below it: @aicost/core's
-- identifyForeignCall (processors/foreign-calls.ts), whatever the emitter. Vercel AI legacy
-- spans (`ai.operationId`): only the provider call `ai.<fn>.doGenerate|doStream|doEmbed`.
-- OpenInference: span kind LLM or EMBEDDING (not AGENT, CHAIN, TOOL...). Otherwise the
-- operation (gen_ai.operation.name, else OpenLLMetry's llm.request.type), when there is one,
-- is one that bills (core's MODEL_CALL_OPERATIONS): not invoke_agent, create_agent,
-- agent_step, execute_tool. test/schema/model-calls.test.ts holds these lists to core's.
CREATE OR REPLACE FUNCTION aicost_model_call_span{{on_cluster}} AS (attributes) ->
    multiIf(attributes['ai.operationId'] != '',
                match(attributes['ai.operationId'], '\\.do(Generate|Stream|Embed)$'),
            mapContains(attributes, 'openinference.span.kind') OR mapContains(attributes, 'llm.token_count.prompt'),
                attributes['openinference.span.kind'] IN ('', 'LLM', 'EMBEDDING'),
            if(attributes['gen_ai.operation.name'] != '', attributes['gen_ai.operation.name'],
               attributes['llm.request.type'])
                IN ('', 'chat', 'text_completion', 'generate_content', 'embeddings', 'image_generation',
                    'audio_transcription', 'audio_speech', 'completion', 'embedding'));

-- Which spans: model calls (above) among the GenAI spans, i.e. those with a GenAI operation,
-- provider (or legacy system) or token usage. Typed columns out of the exporter's string maps.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_spans_mv{{on_cluster}} TO {{database}}.aicost_spans AS
SELECT
    {{span_columns}}
FROM {{database}}.otel_traces{{local}}
WHERE aicost_model_call_span(SpanAttributes)
  AND (mapContains(SpanAttributes, 'gen_ai.operation.name')
       OR mapContains(SpanAttributes, 'gen_ai.provider.name')
       OR mapContains(SpanAttributes, 'gen_ai.system')
       OR mapContains(SpanAttributes, 'gen_ai.usage.input_tokens')
       OR mapContains(SpanAttributes, 'gen_ai.usage.output_tokens'));

-- Spans without usage: nothing to price, their own cost kept when consistent (016).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_requests_recorded_mv{{on_cluster}} TO {{database}}.aicost_requests{{local}} AS
WITH aicost_sent_cost_verdict(
         (span.cost_total, span.cost_input, span.cost_cache_read, span.cost_cache_write, span.cost_output, span.cost_other),
         span.currency, span.cost_status, false, 0) AS sent_cost_verdict,
     sent_cost_verdict = 'kept' AS recorded
SELECT
    {{recorded_columns}}
FROM {{database}}.aicost_spans AS span
-- = NOT has_usage: aicost_spans_mv leaves the cost columns of spans with usage empty. The
-- filters keep version 1's text so that a routing change is one statement (aicost_spans_mv).
WHERE span.cost_total IS NOT NULL OR NOT span.has_usage;

-- Spans with usage, with or without a cost of their own (it is in sent_cost_*): on to the
-- pricing view, which checks a sent cost against the catalogue's (016).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_spans_to_price_mv{{on_cluster}} TO {{database}}.aicost_spans_to_price AS
SELECT *
FROM {{database}}.aicost_spans
-- = has_usage (see the recorded view above).
WHERE cost_total IS NULL AND has_usage;

-- The span's own cost when it passes the checks of 016 (kept as sent), else priced here when
-- the catalogue row is found and the usage is consistent, else unpriced.
-- First the route (015's aicost_route over 012's rules: a known or mapped host, else the model
-- id on an unknown host, else the provider name), then two joins find the catalogue row
-- (aliases, under the routed provider) and its price period at the span's start; the served
-- tier's rule (aicost_tier_rule) scales the catalogue's prices or marks the call committed.
-- Custom prices and self-hosted rates (rows not from the catalogue) apply as they are, before
-- any tier, as in @aicost/core's PriceBook. 040's aicost_requests_repriced runs the same
-- price joins over aicost_requests at today's time.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_requests_priced_mv{{on_cluster}} TO {{database}}.aicost_requests{{local}} AS
WITH price_found AND NOT catalogue_row AS own_rate,
     usage_ok AND route_catalogue_id != '' AND route.1 != 'self_hosted' AND NOT own_rate AS tier_applies,
     price_found AND usage_ok AND sql_cost.1 AND (own_rate OR tier.1 IN ('standard', 'multiplier')) AS priced_here,
     tier_applies AND tier.1 = 'committed' AS committed_here,
     aicost_sent_cost_verdict(sent_cost, sent_terms.1, sent_terms.2, priced_here, sql_cost.7) AS sent_cost_verdict,
     sent_cost_verdict = 'kept' AS kept,
     NOT usage_ok OR (price_found AND NOT sql_cost.1 AND NOT committed_here) AS usage_refused
SELECT
    {{priced_columns}}
FROM
(
SELECT
    priced.*,
    aicost_request_cost(priced.usage, priced.effective_prices) AS sql_cost
FROM
(
    -- The price period valid at price_at: the latest valid_from <= price_at (ASOF), provided
    -- price_at is before its valid_to.
    SELECT
        matched.*,
        price.period_price_source AS period_price_source,
        price.period_price_version AS period_price_version,
        price.period_model_id != '' AND (price.period_valid_to IS NULL OR matched.price_at < price.period_valid_to) AS price_found,
        -- A row of the catalogue (discounted or not), which service tiers apply to; custom prices
        -- and self-hosted rates carry the overrides' own version.
        startsWith(price.period_price_version, 'genai-prices@') AS catalogue_row,
        (input_tokens, cache_read_tokens, cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
         output_tokens, reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens,
         output_image_tokens, request_units) AS usage,
        -- Usage @aicost/core refuses whatever the price (unreadable or out-of-range counts, parts
        -- above their whole): invalid_usage before any price lookup counts, as in JavaScript.
        matched.usage_readable AND aicost_usage_consistent(usage) AS usage_ok,
        -- The catalogue's prices under the tier's multiplier (priced in the next level, where
        -- this is a column: aicost_request_cost reads its argument many times).
        if(catalogue_row AND matched.tier.1 = 'multiplier', aicost_scale_prices(price.period_prices, matched.tier.2),
           price.period_prices) AS effective_prices,
        -- The span's own cost, currency and status as sent, and its provenance, under names the
        -- outer columns do not take. The verdict on them (016) is taken in the outer query, where
        -- sql_cost (computed a level up) is a column: an alias would be inlined into every use of it.
        (matched.sent_cost_total, matched.sent_cost_input, matched.sent_cost_cache_read,
         matched.sent_cost_cache_write, matched.sent_cost_output, matched.sent_cost_other) AS sent_cost,
        (matched.currency, matched.cost_status) AS sent_terms,
        (if(matched.cost_status != '', matched.cost_status, 'priced'), matched.cost_status_reason,
         matched.price_source, matched.price_version, matched.price_provider_id, matched.price_model_id) AS sent_provenance
    FROM
    (
        -- A model-id route to a provider whose catalogue does not list the model: self-hosted,
        -- priced by a self-hosted rate for that model if there is one. (A level of its own:
        -- catalogue_match is a column here, not an expression copied into every use.)
        SELECT
            found.*,
            found.catalogue_match.2 = '' AND found.model_route.5 AS unlisted,
            if(unlisted, ('self_hosted', found.model_route.2, 'unknown_model', '', false), found.model_route) AS route,
            if(unlisted,
               arrayFirst(m -> m.2 != '', [
                   (toString(found.route_self_hosted_exact.2[indexOf(found.route_self_hosted_exact.1, lower(found.model_route.2))]),
                    toString(found.route_self_hosted_exact.3[indexOf(found.route_self_hosted_exact.1, lower(found.model_route.2))])),
                   aicost_prefix_match(lower(found.model_route.2), found.route_self_hosted_prefix)]),
               found.catalogue_match) AS final_match,
            final_match.1 AS match_provider_id,
            final_match.2 AS match_model_id,
            aicost_route_catalogue_id(route, found.route_provider_catalogue) AS route_catalogue_id,
            -- The served tier's rule under the routed provider: (kind, factor), kind '' when none.
            aicost_tier_rule(route_catalogue_id, found.service_tier, found.route_tier_rules) AS tier
        FROM
        (
            SELECT
                routed.*,
                toDateTime(routed.timestamp, 'UTC') AS price_at,
                aicost_price_match(
                    (routed.price_provider_id, routed.price_model_id),
                    response_exact.exact_match, request_exact.exact_match, prefixes.prefix_rules, contains.contains_rules,
                    routed.lookup_response_model, routed.lookup_request_model) AS catalogue_match
            FROM
            (
                SELECT
                    src.*,
                    -- The rules as one constant per insert block (a scalar subquery is computed once).
                    (SELECT (route_host_rules, route_generic_names, route_model_prefixes, route_open_weight,
                             route_model_claims, route_provider_catalogue, route_rules_version, route_tier_rules,
                             route_self_hosted_exact, route_self_hosted_prefix)
                     FROM {{database}}.aicost_route_rules) AS rules,
                    rules.6 AS route_provider_catalogue,
                    rules.7 AS route_rules_version,
                    rules.8 AS route_tier_rules,
                    rules.9 AS route_self_hosted_exact,
                    rules.10 AS route_self_hosted_prefix,
                    aicost_route(src.provider, src.model, aicost_route_address(src.server_address), src.server_port,
                                 rules.1, rules.2, rules.3, rules.4, rules.5) AS model_route,
                    -- A gateway prefix stripped: both model columns are looked up without it.
                    if(model_route.3 = 'model_id_prefixed', model_route.2, src.response_model) AS lookup_response_model,
                    if(model_route.3 = 'model_id_prefixed', model_route.2, src.request_model) AS lookup_request_model
                FROM {{database}}.aicost_spans_to_price AS src
            ) AS routed
            LEFT ANY JOIN {{database}}.aicost_price_exact_lookup AS response_exact
                ON response_exact.exact_provider = routed.model_route.1 AND response_exact.exact_pattern = lower(routed.lookup_response_model)
            LEFT ANY JOIN {{database}}.aicost_price_exact_lookup AS request_exact
                ON request_exact.exact_provider = routed.model_route.1 AND request_exact.exact_pattern = lower(routed.lookup_request_model)
            LEFT ANY JOIN {{database}}.aicost_price_prefix_lookup AS prefixes ON prefixes.prefix_provider = routed.model_route.1
            LEFT ANY JOIN {{database}}.aicost_price_contains_lookup AS contains ON contains.contains_provider = routed.model_route.1
        ) AS found
    ) AS matched
    LEFT ASOF JOIN {{database}}.aicost_price_periods AS price
        ON price.period_provider_id = matched.match_provider_id AND price.period_model_id = matched.match_model_id
        AND matched.price_at >= price.period_valid_from
) AS priced
);
