-- aicost schema: the price table, the model aliases and the dictionaries over them.
--
-- File conventions (every file in collector/sql/; read by `aicost migrate`, the test
-- harness and the compose stack, see collector/README.md "Schema reference"):
-- - files apply in lexical order; every statement is idempotent (IF NOT EXISTS, OR REPLACE);
-- - a statement ends with a line whose last non-blank character is `;`;
-- - lines starting with `--` are comments; there are no placeholders: the database is `otel`.
--
-- Prices are data, not code: rows come from @aicost/core's catalogue export (genai-prices
-- plus the user's overrides) through the loader (`loadPrices` in test/support/chdb.ts, reused
-- by `aicost prices load`). These tables are read at two moments:
-- - at ingest, by the request view (020), to price spans that arrived WITHOUT a cost
--   (other languages and instrumentations): price source `clickhouse:<row source>`;
-- - at query time, by `aicost_requests_repriced` (040): every request at today's prices.
-- Both go through the same two steps: (provider, model) on the span -> catalogue
-- (provider_id, model_id) through the aliases, then the price valid at the request's time.

-- One row per catalogue model and price period. Prices are USD per million tokens
-- (`*_mtok`, the catalogue's price keys) or per thousand requests (`requests_kcount`),
-- Decimal(38, 12): @aicost/core rounds catalogue prices to 12 fractional digits
-- (PRICE_SCALE), so JavaScript and SQL price with the very same decimals. NULL means "no
-- separate price for this kind": its tokens stay in the wider kind (cache reads in input,
-- reasoning in output, see 020), which is not the same as 0 (free). Tiers: the catalogue's
-- tiered prices all have one tier starting at the same input-token count per model, which is
-- what tier_start_tokens + *_tier hold.
-- valid_from is inclusive, valid_to exclusive (NULL: still valid). ReplacingMergeTree keyed
-- by (provider_id, model_id, valid_from): loading the same catalogue twice keeps one row.
CREATE TABLE IF NOT EXISTS otel.aicost_prices
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
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY (provider_id, model_id, valid_from);

-- How a (provider, model) pair seen on a span finds its catalogue row. `provider` is the
-- lower-cased `gen_ai.provider.name` (or legacy `gen_ai.system`) value as spans carry it
-- (openai, gcp.gemini, aws.bedrock, ...) or a catalogue provider id; `pattern` is a
-- lower-cased model string. Supported in SQL: `exact` (the catalogue model id and its
-- `equals` aliases) and `prefix` (its `starts_with` rules, longest prefix wins). The
-- catalogue's `contains`/`regex` rules are not evaluated in SQL: such models stay unpriced
-- in SQL unless an exact alias is loaded for them.
CREATE TABLE IF NOT EXISTS otel.aicost_price_aliases
(
    provider LowCardinality(String) COMMENT 'lower-case provider name as on spans, or a catalogue provider id',
    match_kind Enum8('exact' = 1, 'prefix' = 2),
    pattern String COMMENT 'lower-case model id or model-id prefix',
    provider_id LowCardinality(String) COMMENT 'catalogue provider id of the price row',
    model_id String COMMENT 'catalogue model id of the price row',
    loaded_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY (provider, match_kind, pattern);

-- Range lookup: (provider_id, model_id) at an instant -> the price row valid then.
-- range_lookup_strategy 'max' picks the newest period when two touch at a boundary, which
-- makes valid_to effectively exclusive. LIFETIME 300-600 s picks up rows written by other
-- clients; the loader reloads the dictionaries itself right after writing.
CREATE DICTIONARY IF NOT EXISTS otel.aicost_prices_dict
(
    provider_id String,
    model_id String,
    valid_from DateTime('UTC'),
    valid_to Nullable(DateTime('UTC')),
    input_mtok Nullable(Decimal(38, 12)),
    cache_read_mtok Nullable(Decimal(38, 12)),
    cache_write_mtok Nullable(Decimal(38, 12)),
    cache_write_5m_mtok Nullable(Decimal(38, 12)),
    cache_write_1h_mtok Nullable(Decimal(38, 12)),
    output_mtok Nullable(Decimal(38, 12)),
    output_reasoning_mtok Nullable(Decimal(38, 12)),
    input_audio_mtok Nullable(Decimal(38, 12)),
    output_audio_mtok Nullable(Decimal(38, 12)),
    input_image_mtok Nullable(Decimal(38, 12)),
    output_image_mtok Nullable(Decimal(38, 12)),
    requests_kcount Nullable(Decimal(38, 12)),
    tier_start_tokens Nullable(UInt64),
    input_mtok_tier Nullable(Decimal(38, 12)),
    cache_read_mtok_tier Nullable(Decimal(38, 12)),
    cache_write_mtok_tier Nullable(Decimal(38, 12)),
    cache_write_1h_mtok_tier Nullable(Decimal(38, 12)),
    output_mtok_tier Nullable(Decimal(38, 12)),
    price_source String,
    price_version String
)
PRIMARY KEY provider_id, model_id
SOURCE(CLICKHOUSE(QUERY 'SELECT provider_id, model_id, valid_from, valid_to, input_mtok, cache_read_mtok, cache_write_mtok, cache_write_5m_mtok, cache_write_1h_mtok, output_mtok, output_reasoning_mtok, input_audio_mtok, output_audio_mtok, input_image_mtok, output_image_mtok, requests_kcount, tier_start_tokens, input_mtok_tier, cache_read_mtok_tier, cache_write_mtok_tier, cache_write_1h_mtok_tier, output_mtok_tier, price_source, price_version FROM otel.aicost_prices FINAL'))
LIFETIME(MIN 300 MAX 600)
LAYOUT(COMPLEX_KEY_RANGE_HASHED(range_lookup_strategy 'max'))
RANGE(MIN valid_from MAX valid_to);

-- Exact aliases: (provider, model) -> catalogue ids.
CREATE DICTIONARY IF NOT EXISTS otel.aicost_price_aliases_exact
(
    provider String,
    pattern String,
    provider_id String,
    model_id String
)
PRIMARY KEY provider, pattern
SOURCE(CLICKHOUSE(QUERY 'SELECT provider, pattern, provider_id, model_id FROM otel.aicost_price_aliases FINAL WHERE match_kind = ''exact'''))
LIFETIME(MIN 300 MAX 600)
LAYOUT(COMPLEX_KEY_HASHED());

-- Prefix aliases, one entry per provider with its prefixes longest first, so that
-- `arrayFirstIndex(p -> startsWith(model, p), patterns)` finds the most specific rule.
CREATE DICTIONARY IF NOT EXISTS otel.aicost_price_aliases_prefix
(
    provider String,
    patterns Array(String),
    provider_ids Array(String),
    model_ids Array(String)
)
PRIMARY KEY provider
SOURCE(CLICKHOUSE(QUERY 'SELECT provider, arrayMap(r -> r.1, rules) AS patterns, arrayMap(r -> r.2, rules) AS provider_ids, arrayMap(r -> r.3, rules) AS model_ids FROM (SELECT provider, arrayReverseSort(r -> (length(r.1), r.1), groupArray((pattern, provider_id, model_id))) AS rules FROM otel.aicost_price_aliases FINAL WHERE match_kind = ''prefix'' GROUP BY provider)'))
LIFETIME(MIN 300 MAX 600)
LAYOUT(COMPLEX_KEY_HASHED());
