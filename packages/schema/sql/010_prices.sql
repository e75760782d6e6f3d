-- aicost schema: the price table, the model aliases and the lookup views over them.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Prices are data, not code: rows come from @aicost/core's catalogue export (genai-prices
-- plus the user's overrides) through the loader (`loadPrices` in packages/schema/src/prices.ts, reused
-- by `aicost prices load`). These tables are read at two moments:
-- - at ingest, by `aicost_requests_priced_mv` (020), to price spans that arrived WITHOUT a
--   cost (other languages and instrumentations): price source `clickhouse:<row source>`;
-- - at query time, by `aicost_requests_repriced` (040): every request at today's prices.
-- Both apply the one pricing rule of 015_pricing.sql, in two steps: (provider, model) on the
-- span -> catalogue (provider_id, model_id) through the aliases, then the price valid at the
-- request's time (an ASOF JOIN on valid_from, bounded by valid_to).
-- Models whose catalogue price depends on the time of day have no row here (see
-- exportPriceRows in @aicost/core): SQL leaves them unpriced rather than wrong part of the day.

-- One row per catalogue model and price period. Prices are USD per million tokens
-- (`*_mtok`, the catalogue's price keys) or per thousand requests (`requests_kcount`),
-- Decimal(38, 12): @aicost/core rounds catalogue prices to 12 fractional digits
-- (PRICE_SCALE), so JavaScript and SQL price with the very same decimals. NULL means "no
-- separate price for this kind": its tokens stay in the wider kind (cache reads in input,
-- reasoning in output, see 020), which is not the same as 0 (free). Tiers: the catalogue's
-- tiered prices all have one tier starting at the same input-token count per model, which is
-- what tier_start_tokens + *_tier hold.
-- valid_from is inclusive, valid_to exclusive (NULL: still valid); when periods overlap, the
-- one that started last wins. ReplacingMergeTree keyed
-- by (provider_id, model_id, valid_from): loading the same catalogue twice keeps one row.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_prices{{on_cluster}}
(
    provider_id LowCardinality(String) COMMENT 'catalogue provider id, e.g. openai, anthropic, google',
    model_id String COMMENT 'catalogue model id, e.g. gpt-4o, claude-sonnet-4-0',
    valid_from DateTime('UTC') COMMENT 'first instant the price applies (inclusive)',
    valid_to Nullable(DateTime('UTC')) COMMENT 'instant the price stops applying (exclusive); NULL = still valid',
    currency LowCardinality(String) DEFAULT 'USD',
    input_mtok Nullable(Decimal(38, 12)) COMMENT 'uncached input tokens, USD per 1M',
    cache_read_mtok Nullable(Decimal(38, 12)) COMMENT 'cache-read input tokens; NULL: priced as input',
    cache_write_mtok Nullable(Decimal(38, 12)) COMMENT 'cache-write (5 minute) input tokens; NULL: priced as input',
    cache_write_5m_mtok Nullable(Decimal(38, 12)) COMMENT 'five-minute cache-write tokens; NULL: priced as cache_write',
    cache_write_1h_mtok Nullable(Decimal(38, 12)) COMMENT 'one-hour cache-write tokens; NULL: priced as cache_write',
    output_mtok Nullable(Decimal(38, 12)) COMMENT 'output tokens, reasoning included',
    output_reasoning_mtok Nullable(Decimal(38, 12)) COMMENT 'reasoning tokens; NULL: priced as output',
    input_audio_mtok Nullable(Decimal(38, 12)) COMMENT 'audio input tokens; NULL: priced as input',
    output_audio_mtok Nullable(Decimal(38, 12)) COMMENT 'audio output tokens; NULL: priced as output',
    input_image_mtok Nullable(Decimal(38, 12)) COMMENT 'image input tokens; NULL: priced as input',
    output_image_mtok Nullable(Decimal(38, 12)) COMMENT 'image output tokens; NULL: priced as output',
    requests_kcount Nullable(Decimal(38, 12)) COMMENT 'per-request fee, USD per 1000 requests',
    tier_start_tokens Nullable(UInt64) COMMENT 'above this many input tokens the *_tier prices apply to the whole request',
    input_mtok_tier Nullable(Decimal(38, 12)),
    cache_read_mtok_tier Nullable(Decimal(38, 12)),
    cache_write_mtok_tier Nullable(Decimal(38, 12)),
    cache_write_1h_mtok_tier Nullable(Decimal(38, 12)),
    output_mtok_tier Nullable(Decimal(38, 12)),
    price_source LowCardinality(String) COMMENT 'genai-prices, override or self_hosted',
    price_version LowCardinality(String) COMMENT 'e.g. genai-prices@0.1.8 or the override file version',
    loaded_at DateTime('UTC') DEFAULT now() COMMENT 'when the loader wrote the row; the newest copy wins'
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (provider_id, model_id, valid_from);

-- How a (provider, model) pair seen on a span finds its catalogue row. `provider` is the
-- lower-cased `gen_ai.provider.name` (or legacy `gen_ai.system`) value as spans carry it
-- (openai, gcp.gemini, aws.bedrock, ...) or a catalogue provider id; `pattern` is a
-- lower-cased model string. Supported in SQL: `exact` (the catalogue model id and its
-- `equals` aliases), `prefix` (its `starts_with` rules, longest prefix wins) and `contains`
-- (its `contains` rules, tried last, lowest `rank` first: the catalogue's own order, e.g.
-- Bedrock ids such as `us.anthropic.claude-3-5-sonnet-20240620-v1:0`). The catalogue's
-- `regex`/`ends_with` rules are not evaluated in SQL: such models stay unpriced in SQL
-- unless an exact alias is loaded for them.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_price_aliases{{on_cluster}}
(
    provider LowCardinality(String) COMMENT 'lower-case provider name as on spans, or a catalogue provider id',
    match_kind Enum8('exact' = 1, 'prefix' = 2, 'contains' = 3),
    pattern String COMMENT 'lower-case model id, model-id prefix or substring',
    provider_id LowCardinality(String) COMMENT 'catalogue provider id of the price row',
    model_id String COMMENT 'catalogue model id of the price row',
    rank UInt32 DEFAULT 0 COMMENT 'contains rules: tried in ascending rank (catalogue order)',
    loaded_at DateTime('UTC') DEFAULT now()
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (provider, match_kind, pattern);

-- The lookups below are plain views that the pricing rule (015) JOINs: the price rows are few
-- (a few thousand), so a hash join per insert block that needs prices costs little. Dictionaries
-- were the other candidate (range_hashed on (provider_id, model_id)): a dictionary with a
-- local CLICKHOUSE source connects as `default` without a password unless USER/PASSWORD are
-- written into its DDL, which breaks as soon as the default user has a password or the
-- schema is applied by another user. Views run with the querying user's rights.

-- The newest copy of every price row (ReplacingMergeTree keeps older copies until merged).
CREATE OR REPLACE VIEW {{database}}.aicost_prices_current{{on_cluster}} AS
SELECT * EXCEPT loaded_at
FROM {{database}}.aicost_prices FINAL;

-- Exact aliases: (provider, model) -> catalogue ids.
CREATE OR REPLACE VIEW {{database}}.aicost_price_aliases_exact{{on_cluster}} AS
SELECT provider, pattern, provider_id, model_id
FROM {{database}}.aicost_price_aliases FINAL
WHERE match_kind = 'exact';

-- Prefix aliases, one row per provider with its prefixes longest first, so that
-- `arrayFirstIndex(p -> startsWith(model, p), patterns)` finds the most specific rule.
CREATE OR REPLACE VIEW {{database}}.aicost_price_aliases_prefix{{on_cluster}} AS
SELECT
    provider,
    arrayMap(r -> r.1, rules) AS patterns,
    arrayMap(r -> r.2, rules) AS provider_ids,
    arrayMap(r -> r.3, rules) AS model_ids
FROM
(
    SELECT provider, arrayReverseSort(r -> (length(r.1), r.1), groupArray((pattern, provider_id, model_id))) AS rules
    FROM {{database}}.aicost_price_aliases FINAL
    WHERE match_kind = 'prefix'
    GROUP BY provider
);

-- Contains aliases, one row per provider with its substrings in rank order, so that
-- `arrayFirstIndex(p -> position(model, p) > 0, patterns)` finds the first rule the
-- catalogue would try.
CREATE OR REPLACE VIEW {{database}}.aicost_price_aliases_contains{{on_cluster}} AS
SELECT
    provider,
    arrayMap(r -> r.2, rules) AS patterns,
    arrayMap(r -> r.3, rules) AS provider_ids,
    arrayMap(r -> r.4, rules) AS model_ids
FROM
(
    SELECT provider, arraySort(r -> (r.1, r.2), groupArray((rank, pattern, provider_id, model_id))) AS rules
    FROM {{database}}.aicost_price_aliases FINAL
    WHERE match_kind = 'contains'
    GROUP BY provider
);
