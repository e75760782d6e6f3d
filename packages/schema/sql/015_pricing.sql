-- aicost schema: THE pricing rule, defined once, used at ingest (020, aicost_requests_priced_mv)
-- and by the re-pricing view (040, aicost_requests_repriced).
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- The rule is written as SQL functions (CREATE FUNCTION: plain expressions the server inlines
-- into each query that calls them, so results are those of the inlined text). Functions are
-- server-wide, not per database: they are all named `aicost_*`; creating them needs the
-- CREATE FUNCTION privilege. Both callers run the same two joins around them (aliases,
-- then the price period valid at the request's time, see 010) and call:
--   aicost_price_match(...)           -> (provider_id, model_id) of the catalogue row;
--   aicost_request_cost(usage, prices) -> (usage_valid, input, cache_read, cache_write,
--                                          output, other, total), Decimal(38, 9) USD.
-- It is @aicost/core's costFromSheet in SQL: same unit hierarchy, same tier rule, one line per
-- price key rounded half up to the nano, lines summed into the five components.

-- Price periods as the pricing rule joins them: one row per (provider_id, model_id,
-- valid_from), the newest copy, with its price keys in one tuple (the `prices` argument of
-- aicost_unit_prices) and column names of their own (the callers' rows have a price_source).
CREATE OR REPLACE VIEW {{database}}.aicost_price_periods{{on_cluster}} AS
SELECT
    provider_id AS period_provider_id,
    model_id AS period_model_id,
    valid_from AS period_valid_from,
    valid_to AS period_valid_to,
    price_source AS period_price_source,
    price_version AS period_price_version,
    -- Positions:  1 input, 2 cache_read, 3 cache_write, 4 cache_write_5m, 5 cache_write_1h,
    -- 6 output, 7 output_reasoning, 8 input_audio, 9 output_audio, 10 input_image,
    -- 11 output_image, 12 requests_kcount, 13 tier_start_tokens, 14 input tier,
    -- 15 cache_read tier, 16 cache_write tier, 17 cache_write_1h tier, 18 output tier.
    (input_mtok, cache_read_mtok, cache_write_mtok, cache_write_5m_mtok, cache_write_1h_mtok,
     output_mtok, output_reasoning_mtok, input_audio_mtok, output_audio_mtok, input_image_mtok,
     output_image_mtok, requests_kcount, tier_start_tokens, input_mtok_tier, cache_read_mtok_tier,
     cache_write_mtok_tier, cache_write_1h_mtok_tier, output_mtok_tier) AS period_prices
FROM {{database}}.aicost_prices_current;

-- The alias lookups as the pricing rule joins them, with column names of their own (a
-- joined column named like one of the request's, e.g. `provider`, would hide it): the
-- (provider_id, model_id) of an exact alias, and each provider's prefix / contains rules as
-- (patterns, provider_ids, model_ids).
CREATE OR REPLACE VIEW {{database}}.aicost_price_exact_lookup{{on_cluster}} AS
SELECT provider AS exact_provider, pattern AS exact_pattern, (provider_id, model_id) AS exact_match
FROM {{database}}.aicost_price_aliases_exact;

CREATE OR REPLACE VIEW {{database}}.aicost_price_prefix_lookup{{on_cluster}} AS
SELECT provider AS prefix_provider, (patterns, provider_ids, model_ids) AS prefix_rules
FROM {{database}}.aicost_price_aliases_prefix;

CREATE OR REPLACE VIEW {{database}}.aicost_price_contains_lookup{{on_cluster}} AS
SELECT provider AS contains_provider, (patterns, provider_ids, model_ids) AS contains_rules
FROM {{database}}.aicost_price_aliases_contains;

-- The first rule of a (patterns, provider_ids, model_ids) list that `model` starts with /
-- contains, as (provider_id, model_id); ('', '') when none does. The prefix list is sorted
-- longest first, the contains list in rank order (see 010).
CREATE OR REPLACE FUNCTION aicost_prefix_match{{on_cluster}} AS (model, rules) ->
    (toString(rules.2[arrayFirstIndex(p -> startsWith(model, p), rules.1)]),
     toString(rules.3[arrayFirstIndex(p -> startsWith(model, p), rules.1)]));

CREATE OR REPLACE FUNCTION aicost_contains_match{{on_cluster}} AS (model, rules) ->
    (toString(rules.2[arrayFirstIndex(p -> position(model, p) > 0, rules.1)]),
     toString(rules.3[arrayFirstIndex(p -> position(model, p) > 0, rules.1)]));

-- The catalogue row of a request: the one recorded on the span/request if any, else through
-- the aliases: response model exact, request model exact, response model longest prefix,
-- request model longest prefix, response model then request model containing a `contains`
-- pattern (first in rank order). ('', '') when nothing matches. `recorded`, `response_exact`
-- and `request_exact` are (provider_id, model_id) pairs; the rule lists are those of the
-- lookup views above.
CREATE OR REPLACE FUNCTION aicost_price_match{{on_cluster}} AS
    (recorded, response_exact, request_exact, prefix_rules, contains_rules, response_model, request_model) ->
    arrayFirst(m -> m.2 != '', [
        (toString(recorded.1), toString(recorded.2)),
        (toString(response_exact.1), toString(response_exact.2)),
        (toString(request_exact.1), toString(request_exact.2)),
        aicost_prefix_match(lower(response_model), prefix_rules),
        aicost_prefix_match(lower(request_model), prefix_rules),
        aicost_contains_match(lower(response_model), contains_rules),
        aicost_contains_match(lower(request_model), contains_rules)
    ]);

-- Tiers: above tier_start_tokens input tokens (cache included) the tier price applies to every
-- token of that kind, as the catalogue defines it.
CREATE OR REPLACE FUNCTION aicost_tier_price{{on_cluster}} AS (prices, input_tokens, base, tier) ->
    if(prices.13 IS NOT NULL AND input_tokens > prices.13 AND tier IS NOT NULL, tier, base);

-- The USD-per-unit price of each usage kind for one request (tier applied), positions as in
-- aicost_leaves: 1 input, 2 cache_read, 3 cache_write, 4 cache_write_5m, 5 cache_write_1h,
-- 6 output, 7 reasoning, 8 input_audio, 9 output_audio, 10 input_image, 11 output_image,
-- 12 requests (USD per 1000). NULL: no separate price for that kind.
CREATE OR REPLACE FUNCTION aicost_unit_prices{{on_cluster}} AS (prices, input_tokens) ->
    (aicost_tier_price(prices, input_tokens, prices.1, prices.14),
     aicost_tier_price(prices, input_tokens, prices.2, prices.15),
     aicost_tier_price(prices, input_tokens, prices.3, prices.16),
     prices.4,
     aicost_tier_price(prices, input_tokens, prices.5, prices.17),
     aicost_tier_price(prices, input_tokens, prices.6, prices.18),
     prices.7, prices.8, prices.9, prices.10, prices.11, prices.12);

-- Tokens of one kind charged at its own price, or 0 when the kind has none (then its tokens
-- stay in the wider kind).
CREATE OR REPLACE FUNCTION aicost_leaf{{on_cluster}} AS (price, tokens) -> if(price IS NULL, 0, toInt64(tokens));

-- Leaves: the tokens each priced key is charged for. A kind with its own price is taken out
-- of the wider kind (cache reads, cache writes, audio and image out of input; the 5m and 1h
-- cache writes out of cache writes; reasoning, audio and image out of output); a kind
-- without a price stays in the wider one. `usage` holds the token counts in the positions of
-- aicost_unit_prices (12: billable request units), `p` that function's result.
CREATE OR REPLACE FUNCTION aicost_cache_write_leaf{{on_cluster}} AS (usage, p) ->
    if(p.3 IS NULL, 0, toInt64(usage.3) - aicost_leaf(p.4, usage.4) - aicost_leaf(p.5, usage.5));

CREATE OR REPLACE FUNCTION aicost_leaves{{on_cluster}} AS (usage, p) ->
    (if(p.1 IS NULL, 0, toInt64(usage.1) - aicost_leaf(p.2, usage.2) - aicost_cache_write_leaf(usage, p)
         - aicost_leaf(p.4, usage.4) - aicost_leaf(p.5, usage.5) - aicost_leaf(p.8, usage.8) - aicost_leaf(p.10, usage.10)),
     aicost_leaf(p.2, usage.2),
     aicost_cache_write_leaf(usage, p),
     aicost_leaf(p.4, usage.4),
     aicost_leaf(p.5, usage.5),
     if(p.6 IS NULL, 0, toInt64(usage.6) - aicost_leaf(p.7, usage.7) - aicost_leaf(p.9, usage.9) - aicost_leaf(p.11, usage.11)),
     aicost_leaf(p.7, usage.7),
     aicost_leaf(p.8, usage.8),
     aicost_leaf(p.9, usage.9),
     aicost_leaf(p.10, usage.10),
     aicost_leaf(p.11, usage.11),
     aicost_leaf(p.12, usage.12));

-- One line: round(tokens x USD-per-1M, 3) / 1e6 is round_half_up(tokens x price x 1e9 / 1e6)
-- nano-USD.
CREATE OR REPLACE FUNCTION aicost_line{{on_cluster}} AS (tokens, usd_per_mtok) ->
    CAST(round(toDecimal128(tokens, 0) * ifNull(usd_per_mtok, 0), 3) / 1000000 AS Decimal(38, 9));

-- The five components from leaves `l` and unit prices `p`: (input, cache_read, cache_write,
-- output, other); other = audio, image and per-request fees (USD per 1000 requests).
CREATE OR REPLACE FUNCTION aicost_cost_parts{{on_cluster}} AS (l, p) ->
    (aicost_line(l.1, p.1),
     aicost_line(l.2, p.2),
     aicost_line(l.3, p.3) + aicost_line(l.4, p.4) + aicost_line(l.5, p.5),
     aicost_line(l.6, p.6) + aicost_line(l.7, p.7),
     aicost_line(l.8, p.8) + aicost_line(l.10, p.10) + aicost_line(l.9, p.9) + aicost_line(l.11, p.11)
         + CAST(round(toDecimal128(l.12, 0) * ifNull(p.12, 0) * 1000, 3) / 1000000 AS Decimal(38, 9)));

-- Parts larger than their whole (e.g. more cache reads than input): invalid usage, no price.
-- Whether a served service tier is the standard one, priced at the catalogue's list price.
-- The names are @aicost/core's STANDARD_TIER_NAMES (pricing/service-tiers.ts). Other tiers are
-- priced by the reviewed rules loaded into aicost_service_tiers (aicost_tier_rule below); a tier
-- without one is `unknown_service_tier`, never the standard price.
CREATE OR REPLACE FUNCTION aicost_standard_tier{{on_cluster}} AS (tier) ->
    tier IN ('', 'default', 'standard', 'on_demand', 'ON_DEMAND');

-- Leaves left negative: parts priced apart that together exceed their whole (e.g. cache reads
-- plus audio tokens above the input), as @aicost/core's costFromSheet refuses them.
CREATE OR REPLACE FUNCTION aicost_usage_valid{{on_cluster}} AS (l) ->
    least(l.4, l.5, l.3, l.2, l.8, l.10, l.1, l.6, l.7, l.9, l.11) >= 0;

-- Token counts as @aicost/core reads them from span attributes (CountReader, ledger/usage.ts):
-- digits, blanks around them allowed. The exporter writes every value as a string: a negative,
-- fractional, NaN or non-numeric count is not a count (aicost_count_readable), never 0.
CREATE OR REPLACE FUNCTION aicost_count{{on_cluster}} AS (attributes, key) ->
    toUInt64OrZero(extract(attributes[key], '^\\s*([0-9]+)\\s*$'));

CREATE OR REPLACE FUNCTION aicost_count_readable{{on_cluster}} AS (attributes, key) ->
    NOT mapContains(attributes, key)
    OR toUInt64OrNull(extract(attributes[key], '^\\s*([0-9]+)\\s*$')) IS NOT NULL;

-- Usage @aicost/core's buildUsage accepts, whatever is priced: every count at most
-- MAX_TOKEN_COUNT (1e12, more than any call bills), and each group of parts within its whole
-- (cache reads + writes <= input, 5m + 1h writes <= cache writes, audio + image input <= input,
-- reasoning + audio + image output <= output). `usage` as in aicost_request_cost.
CREATE OR REPLACE FUNCTION aicost_usage_consistent{{on_cluster}} AS (usage) ->
    greatest(usage.1, usage.2, usage.3, usage.4, usage.5, usage.6, usage.7, usage.8, usage.9, usage.10,
             usage.11, usage.12) <= 1000000000000
    AND usage.2 + usage.3 <= usage.1
    AND usage.4 + usage.5 <= usage.3
    AND usage.8 + usage.10 <= usage.1
    AND usage.7 + usage.9 + usage.11 <= usage.6;

-- The cost of a request: `usage` = (input_tokens, cache_read_tokens, cache_write_tokens,
-- cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens,
-- input_audio_tokens, output_audio_tokens, input_image_tokens, output_image_tokens,
-- request_units), `prices` = aicost_price_periods.period_prices of its price period.
-- Returns (usage_valid, input, cache_read, cache_write, output, other, total); usage_valid is
-- false for usage @aicost/core would refuse (aicost_usage_consistent, aicost_usage_valid).
-- Functions are inlined: an argument used n times is copied n times, and nested calls
-- multiply (the query tree outgrows the server's limit). `arrayMap(x -> ..., [value])[1]`
-- binds each intermediate value (unit prices, leaves, components) once.
CREATE OR REPLACE FUNCTION aicost_request_cost{{on_cluster}} AS (usage, prices) ->
    arrayMap(p ->
        arrayMap(l ->
            arrayMap(c -> (aicost_usage_consistent(usage) AND aicost_usage_valid(l), c.1, c.2, c.3, c.4, c.5, c.1 + c.2 + c.3 + c.4 + c.5),
                     [aicost_cost_parts(l, p)])[1],
                 [aicost_leaves(usage, p)])[1],
             [aicost_unit_prices(prices, usage.1)])[1];

-- Who prices a call: @aicost/core's routeCall (providers/routing.ts) over the rows of
-- 012_routing.sql (aicost_route_rules). A known or mapped host decides (`user_host_mapping`,
-- `host`); on any other host a span naming only a wire format (`openai`, `self_hosted`...) is
-- routed by its model id (`open_weight`, `model_id_prefixed`, `model_id`, `unknown_model`);
-- otherwise, and without a server address, the span's provider name decides (`provider_name`).
-- The result is (provider key, model, price_match, catalogue provider id, by_model):
-- `by_model` marks a model-id route to a provider, which becomes self-hosted (`unknown_model`)
-- when that provider's catalogue does not list the model.

-- A server address as the rule compares it: lower case, no blanks, no IPv6 brackets.
CREATE OR REPLACE FUNCTION aicost_route_address{{on_cluster}} AS (address) ->
    replaceRegexpAll(lower(trimBoth(address)), '^\\[|\\]$', '');

-- Whether one host rule (kind, pattern, ...) names the server. Catalogue URL patterns are
-- anchored at the start, as @pydantic/genai-prices matches them.
CREATE OR REPLACE FUNCTION aicost_host_rule_matches{{on_cluster}} AS (rule, address, port) ->
    multiIf(rule.1 = 'host_port', port != '' AND concat(address, ':', port) = rule.2,
            rule.1 = 'exact', address = rule.2,
            rule.1 = 'suffix', endsWith(address, rule.2),
            rule.1 = 'pattern', match(address, rule.2),
            rule.1 = 'catalogue_url',
                match(if(match(address, '^https?://'), address, concat('https://', address)), concat('^(?:', rule.2, ')')),
            false);

-- The provider a model id alone names, for calls on hosts nobody declared. `m` binds
-- (lower-case id, id, position of its first slash); `prefixes`, `open_weight` and `claims` are
-- aicost_route_rules' lists.
CREATE OR REPLACE FUNCTION aicost_route_by_model{{on_cluster}} AS (model, prefixes, open_weight, claims) ->
    arrayMap(m ->
        multiIf(arrayExists(p -> match(splitByChar('/', m.1)[-1], p), open_weight),
                    ('self_hosted', m.2, 'open_weight', '', false),
                m.3 > 1,
                    arrayMap(v -> if(v.1 != '', (v.2, substring(m.2, m.3 + 1), 'model_id_prefixed', v.3, true),
                                     ('self_hosted', m.2, 'unknown_model', '', false)),
                             [arrayFirst(v -> v.1 = substring(m.1, 1, m.3 - 1), prefixes)])[1],
                arrayMap(c -> if(c.1 != '', (c.3, m.2, 'model_id', c.4, true), ('self_hosted', m.2, 'unknown_model', '', false)),
                         [arrayFirst(c -> multiIf(c.1 = 'equals', m.1 = c.2,
                                                  c.1 = 'starts_with', startsWith(m.1, c.2),
                                                  c.1 = 'ends_with', endsWith(m.1, c.2),
                                                  c.1 = 'contains', position(m.1, c.2) > 0,
                                                  c.1 = 'regex', match(m.2, c.2),
                                                  false), claims)])[1]),
        [(lower(trimBoth(model)), trimBoth(model), position(trimBoth(model), '/'))])[1];

-- The route of a call (see above). `address` as aicost_route_address gives it, `port` as text.
CREATE OR REPLACE FUNCTION aicost_route{{on_cluster}} AS
    (provider, model, address, port, host_rules, generic_names, prefixes, open_weight, claims) ->
    arrayMap(h ->
        arrayMap(by_model ->
            multiIf(h.1 = '',
                        if(address != '' AND has(generic_names, lower(provider)), by_model,
                           (lower(provider), model, 'provider_name', '', false)),
                    h.5, by_model,
                    (h.3, model, if(h.6 = 'user', 'user_host_mapping', 'host'), h.4, false)),
            [aicost_route_by_model(model, prefixes, open_weight, claims)])[1],
        [arrayFirst(r -> address != '' AND aicost_host_rule_matches(r, address, port), host_rules)])[1];

-- The catalogue provider id a provider key is priced under ('' when none: self-hosted, unknown).
CREATE OR REPLACE FUNCTION aicost_route_catalogue_id{{on_cluster}} AS (route, provider_catalogue) ->
    if(route.4 != '', route.4, arrayFirst(r -> r.1 = route.1, provider_catalogue).2);

-- The served tier's rule as (kind, factor): the reviewed rule for the provider's catalogue id,
-- else `standard` for the standard names (aicost_standard_tier), else ('', NULL): no rule.
-- @aicost/core's serviceTierRule.
CREATE OR REPLACE FUNCTION aicost_tier_rule{{on_cluster}} AS (catalogue_id, tier, tier_rules) ->
    arrayMap(r -> (if(r.1 != '', r.3, if(aicost_standard_tier(tier), 'standard', '')), r.4),
             [arrayFirst(r -> r.1 = catalogue_id AND r.2 = tier, tier_rules)])[1];

-- A price times a tier's factor, rounded half up to 12 digits like every price (@aicost/core's
-- scaleSheet); NULL stays NULL.
CREATE OR REPLACE FUNCTION aicost_scaled_price{{on_cluster}} AS (price, factor) ->
    CAST(round(price * factor, 12) AS Nullable(Decimal(38, 12)));

-- Every price of a period_prices tuple times `factor` (position 13, the tier start, is a count).
CREATE OR REPLACE FUNCTION aicost_scale_prices{{on_cluster}} AS (prices, factor) ->
    (aicost_scaled_price(prices.1, factor), aicost_scaled_price(prices.2, factor), aicost_scaled_price(prices.3, factor),
     aicost_scaled_price(prices.4, factor), aicost_scaled_price(prices.5, factor), aicost_scaled_price(prices.6, factor),
     aicost_scaled_price(prices.7, factor), aicost_scaled_price(prices.8, factor), aicost_scaled_price(prices.9, factor),
     aicost_scaled_price(prices.10, factor), aicost_scaled_price(prices.11, factor), aicost_scaled_price(prices.12, factor),
     prices.13,
     aicost_scaled_price(prices.14, factor), aicost_scaled_price(prices.15, factor), aicost_scaled_price(prices.16, factor),
     aicost_scaled_price(prices.17, factor), aicost_scaled_price(prices.18, factor));
