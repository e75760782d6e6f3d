-- aicost schema: what-if model substitution. An ESTIMATE, never a measured cost: the token
-- ledger each request recorded, re-priced on another catalogue model at today's price.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Assumptions (the views carry them as columns, `estimate` = true on every row):
-- - the candidate would have used the same token counts (input, output, reasoning, audio...);
--   real tokenizers and answer lengths differ;
-- - keep_cache = 1: the same cache reads and writes, at the candidate's cache prices (a
--   candidate without a cache price charges them as input); keep_cache = 0: no cache, every
--   input token at the candidate's input price;
-- - the candidate's price period valid now (aicost_prices; tiers applied per request, as
--   015_pricing.sql prices any request).
-- The current side is each request's recorded cost (priced requests only).

-- The candidates' price periods valid now, one row per catalogue model.
CREATE OR REPLACE VIEW {{database}}.aicost_whatif_candidate_prices{{on_cluster}} AS
SELECT period_provider_id AS candidate_provider_id, period_model_id AS candidate_model_id,
       argMax(period_prices, period_valid_from) AS candidate_prices
FROM {{database}}.aicost_price_periods
WHERE period_valid_from <= now() AND (period_valid_to IS NULL OR now() < period_valid_to)
GROUP BY candidate_provider_id, candidate_model_id;

-- The usage tuple of aicost_request_cost, with the cache kept or folded into plain input.
CREATE OR REPLACE FUNCTION aicost_whatif_usage{{on_cluster}} AS (r, keep_cache) ->
    (r.1, if(keep_cache, r.2, 0), if(keep_cache, r.3, 0), if(keep_cache, r.4, 0), if(keep_cache, r.5, 0),
     r.6, r.7, r.8, r.9, r.10, r.11, r.12);

-- Every priced request re-priced on one candidate: SELECT ... FROM {{database}}.aicost_whatif(
-- candidate_provider_id = 'openai', candidate_model_id = 'gpt-4o-mini', keep_cache = 1).
-- No row when the candidate has no price valid now.
CREATE OR REPLACE VIEW {{database}}.aicost_whatif{{on_cluster}} AS
SELECT
    r.timestamp AS timestamp, r.trace_id AS trace_id, r.span_id AS span_id,
    r.environment AS environment, r.service AS service, r.feature AS feature, r.customer AS customer,
    r.provider AS provider, r.model AS model,
    c.candidate_provider_id AS candidate_provider_id, c.candidate_model_id AS candidate_model_id,
    toBool({keep_cache:UInt8}) AS cache_kept,
    true AS estimate,
    r.input_tokens AS input_tokens, r.output_tokens AS output_tokens, r.cache_read_tokens AS cache_read_tokens,
    assumeNotNull(r.cost_total) AS current_cost_usd,
    aicost_request_cost(aicost_whatif_usage(
        (r.input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens,
         r.output_tokens, r.reasoning_tokens, r.input_audio_tokens, r.output_audio_tokens, r.input_image_tokens,
         r.output_image_tokens, r.request_units), {keep_cache:UInt8}), c.candidate_prices) AS candidate_cost,
    candidate_cost.1 AS candidate_usage_valid,
    if(candidate_usage_valid, candidate_cost.7, NULL) AS candidate_cost_usd,
    current_cost_usd - candidate_cost_usd AS savings_usd
FROM {{database}}.aicost_requests AS r
CROSS JOIN
(
    SELECT candidate_provider_id, candidate_model_id, candidate_prices
    FROM {{database}}.aicost_whatif_candidate_prices
    WHERE candidate_provider_id = {candidate_provider_id:String} AND candidate_model_id = {candidate_model_id:String}
) AS c
WHERE r.cost_total IS NOT NULL;

-- Every priced request re-priced on every catalogue model the recorded requests already use
-- for the same operation (a chat call on the chat models, an embedding on the embedding
-- models), cache kept: what the dashboard's "largest what-if savings" panel sums. Filter by time and
-- feature and aggregate; rows where candidate = current model show the recorded cost vs
-- today's price of the same model.
CREATE OR REPLACE VIEW {{database}}.aicost_whatif_models_in_use{{on_cluster}} AS
SELECT
    r.timestamp AS timestamp, r.environment AS environment, r.service AS service, r.feature AS feature,
    r.customer AS customer, r.provider AS provider, r.model AS model,
    r.price_provider_id AS current_provider_id, r.price_model_id AS current_model_id,
    c.candidate_provider_id AS candidate_provider_id, c.candidate_model_id AS candidate_model_id,
    true AS cache_kept,
    true AS estimate,
    assumeNotNull(r.cost_total) AS current_cost_usd,
    aicost_request_cost(
        (r.input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens,
         r.output_tokens, r.reasoning_tokens, r.input_audio_tokens, r.output_audio_tokens, r.input_image_tokens,
         r.output_image_tokens, r.request_units), c.candidate_prices) AS candidate_cost,
    if(candidate_cost.1, candidate_cost.7, NULL) AS candidate_cost_usd,
    current_cost_usd - candidate_cost_usd AS savings_usd
FROM {{database}}.aicost_requests AS r
INNER JOIN
(
    SELECT u.operation AS candidate_operation, p.candidate_provider_id AS candidate_provider_id,
           p.candidate_model_id AS candidate_model_id, p.candidate_prices AS candidate_prices
    FROM
    (
        SELECT DISTINCT toString(operation) AS operation, toString(price_provider_id) AS provider_id,
                        toString(price_model_id) AS model_id
        FROM {{database}}.aicost_requests
        WHERE price_model_id != ''
    ) AS u
    INNER JOIN {{database}}.aicost_whatif_candidate_prices AS p
        ON p.candidate_provider_id = u.provider_id AND p.candidate_model_id = u.model_id
) AS c ON c.candidate_operation = r.operation
WHERE r.cost_total IS NOT NULL;
