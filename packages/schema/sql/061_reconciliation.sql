-- aicost schema: the bill next to the traces, per provider, model and UTC day.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Reads {{database}}.aicost_billing (060), {{database}}.aicost_requests (020) and the service-tier
-- rules (012's aicost_service_tiers). Used by `aicost reconcile`, the UI's reconciliation page and
-- the Overview dashboard's bill panels, which select from aicost_reconciliation (the rows) and
-- aicost_reconciliation_totals (their totals) with the same WHERE on day. Money is Decimal(38, 9) USD; billed
-- amounts in another currency without a user-given rate stay out of billed_usd and are listed
-- in billed_other_currencies (never added to USD).
--
-- The keys both sides share:
-- - provider: the catalogue provider id of who bills (openai, anthropic, google, aws, azure,
--   ...). Spans carry gen_ai.provider.name (gcp.gemini, aws.bedrock, azure.ai.openai...):
--   aicost_billing_provider maps them, the same table as CATALOGUE_PROVIDER_BY_GENAI_NAME in
--   @aicost/core (a test keeps both equal). The catalogue's home provider on a span
--   (price_provider_id) is not used: an Azure deployment of gpt-4o is billed by Azure.
-- - model: the catalogue model id, as priced spans carry it in price_model_id and as the
--   billing import normalises billed names; an unknown model on either side falls back to its
--   lower-cased name (model_name on the bill), so an unpriced span and a bill line of the same
--   unknown model still meet. Bill rows that name no model have model ''.

-- The names are @aicost/core's CATALOGUE_PROVIDER_BY_GENAI_NAME (from its provider registry);
-- test/billing/reconciliation.test.ts keeps the two equal.
CREATE OR REPLACE FUNCTION aicost_billing_provider{{on_cluster}} AS (name) ->
    transform(lower(name),
        ['azure.ai.openai', 'azure-openai', 'az.ai.openai', 'azure.ai.inference', 'az.ai.inference',
         'gcp.gemini', 'gemini', 'google-genai', 'gcp.gen_ai', 'gcp.vertex_ai', 'vertex', 'vertexai',
         'vertex ai', 'vertex_ai', 'google-vertex', 'aws.bedrock', 'bedrock', 'amazon-bedrock', 'mistral_ai',
         'mistralai', 'x_ai', 'xai', 'together_ai', 'togetherai', 'fireworks-ai'],
        ['azure', 'azure', 'azure', 'azure', 'azure', 'google', 'google', 'google', 'google', 'google',
         'google', 'google', 'google', 'google', 'google', 'aws', 'aws', 'aws', 'mistral', 'mistral', 'x-ai',
         'x-ai', 'together', 'together', 'fireworks'],
        lower(name));

-- What was traced, per UTC day, billing provider, model, service and environment.
-- flex_cost_usd: priced spans served at the flex tier (costed at its rate by the tier rules);
-- untiered_cost_usd: priced spans that recorded no served tier (costed at the standard price).
CREATE OR REPLACE VIEW {{database}}.aicost_traced_daily{{on_cluster}} AS
SELECT
    day,
    billing_provider AS provider,
    model_key AS model,
    traced_service AS service,
    traced_environment AS environment,
    requests,
    unpriced_requests,
    cost_usd,
    day_input_tokens AS input_tokens,
    day_output_tokens AS output_tokens,
    day_reasoning_tokens AS reasoning_tokens,
    unpriced_tokens,
    day_flex_cost AS flex_cost_usd,
    day_untiered_cost AS untiered_cost_usd
FROM
(
    -- Names of their own inside: an alias named like a column of aicost_requests would hide it.
    SELECT
        toDate(timestamp, 'UTC') AS day,
        aicost_billing_provider(provider) AS billing_provider,
        if(price_model_id != '', toString(price_model_id), lower(toString(model))) AS model_key,
        service AS traced_service,
        environment AS traced_environment,
        count() AS requests,
        countIf(cost_total IS NULL) AS unpriced_requests,
        sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS cost_usd,
        sum(input_tokens) AS day_input_tokens,
        sum(output_tokens) AS day_output_tokens,
        sum(reasoning_tokens) AS day_reasoning_tokens,
        sumIf(input_tokens + output_tokens, cost_total IS NULL) AS unpriced_tokens,
        sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL AND service_tier = 'flex') AS day_flex_cost,
        -- Costed at the standard price: no tier recorded, or a standard one ('default', 'standard', ...).
        sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL AND aicost_standard_tier(toString(service_tier))) AS day_untiered_cost
    FROM {{database}}.aicost_requests
    GROUP BY day, billing_provider, model_key, traced_service, traced_environment
);

-- Price changes the traces missed, per UTC day, billing provider and model: each priced
-- request re-costed with the price valid AT ITS OWN TIME in the loaded price table (the one
-- pricing rule of 015) under the rule of the tier that served it (aicost_tier_rule over
-- aicost_service_tiers: a flex call is re-costed at the flex rate, not the standard one), minus
-- the cost it was recorded with. Non-zero when the price changed in the period and the
-- application still costed calls at the old price (an older catalogue), or when the price
-- table was corrected since. Only requests that carry their catalogue ids (price_model_id),
-- were costed from prices (not provider-reported amounts) and were served at a tier with a
-- standard or multiplier rule take part; no price rows loaded: no row here.
CREATE OR REPLACE VIEW {{database}}.aicost_traced_price_changes{{on_cluster}} AS
SELECT
    day,
    billing_provider AS provider,
    model_key AS model,
    sum(current_cost - recorded_cost) AS price_change_usd
FROM
(
    SELECT
        toDate(request.timestamp, 'UTC') AS day,
        request.billing_provider AS billing_provider,
        request.price_model AS model_key,
        assumeNotNull(request.cost_total) AS recorded_cost,
        aicost_request_cost(
            (request.input_tokens, request.cache_read_tokens, request.cache_write_tokens, request.cache_write_5m_tokens,
             request.cache_write_1h_tokens, request.output_tokens, request.reasoning_tokens, request.input_audio_tokens,
             request.output_audio_tokens, request.input_image_tokens, request.output_image_tokens, request.request_units),
            if(request.served_rule.1 = 'multiplier', aicost_scale_prices(price.period_prices, request.served_rule.2),
               price.period_prices)) AS sql_cost,
        sql_cost.7 AS current_cost
    FROM
    (
        -- The tier rules as aicost_route_rules lists them: (catalogue_provider_id, tier, kind, factor).
        WITH (SELECT groupArray((toString(catalogue_provider_id), tier, toString(kind), factor))
              FROM {{database}}.aicost_service_tiers FINAL) AS tier_rules
        SELECT *, toString(price_provider_id) AS price_provider, toString(price_model_id) AS price_model,
               toDateTime(timestamp, 'UTC') AS price_at,
               aicost_billing_provider(provider) AS billing_provider,
               aicost_tier_rule(billing_provider, toString(service_tier),
                                tier_rules) AS served_rule
        FROM {{database}}.aicost_requests
        WHERE cost_total IS NOT NULL AND price_model_id != '' AND cost_status != 'provider_reported'
    ) AS request
    ASOF JOIN {{database}}.aicost_price_periods AS price
        ON price.period_provider_id = request.price_provider AND price.period_model_id = request.price_model
        AND request.price_at >= price.period_valid_from
    WHERE (price.period_valid_to IS NULL OR request.price_at < price.period_valid_to) AND sql_cost.1
        AND request.served_rule.1 IN ('standard', 'multiplier')
)
GROUP BY day, billing_provider, model_key;

-- What was billed, per UTC day, provider and model (the rows of aicost_billing_current).
-- billed_tokens: tokens of the usage reports (rows without a cost) when the day has any,
-- else the token quantities of the cost rows: importing both a usage and a cost export of the
-- same traffic does not count its tokens twice.
-- flex_usd / batch_usd / priority_usd: usage billed at those service tiers.
CREATE OR REPLACE VIEW {{database}}.aicost_billed_daily{{on_cluster}} AS
SELECT
    day,
    provider,
    model_key AS model,
    count() AS billed_rows,
    sumIf(cost_usd, cost_usd IS NOT NULL) AS billed_usd,
    sumMapIf(map(toString(currency), assumeNotNull(cost)), cost IS NOT NULL AND cost_usd IS NULL) AS billed_other_currencies,
    sumIf(cost_usd, cost_usd IS NOT NULL AND charge_type = 'usage') AS usage_usd,
    sumIf(cost_usd, cost_usd IS NOT NULL AND charge_type != 'usage') AS credits_usd,
    sumIf(cost_usd, cost_usd IS NOT NULL AND charge_type = 'usage' AND service_tier = 'flex') AS flex_usd,
    sumIf(cost_usd, cost_usd IS NOT NULL AND charge_type = 'usage' AND service_tier = 'batch') AS batch_usd,
    sumIf(cost_usd, cost_usd IS NOT NULL AND charge_type = 'usage' AND service_tier IN ('priority', 'scale')) AS priority_usd,
    if(sumIf(assumeNotNull(quantity), unit = 'tokens' AND cost IS NULL) > 0,
       sumIf(assumeNotNull(quantity), unit = 'tokens' AND cost IS NULL),
       sumIf(assumeNotNull(quantity), unit = 'tokens' AND cost IS NOT NULL)) AS billed_tokens,
    if(sumIf(assumeNotNull(quantity), unit = 'tokens' AND cost IS NULL) > 0,
       sumIf(assumeNotNull(quantity), unit = 'tokens' AND usage_type = 'output' AND cost IS NULL),
       sumIf(assumeNotNull(quantity), unit = 'tokens' AND usage_type = 'output' AND cost IS NOT NULL)) AS billed_output_tokens,
    arraySort(groupUniqArray(project)) AS projects
FROM
(
    SELECT *, if(model != '', toString(model), toString(model_name)) AS model_key
    FROM {{database}}.aicost_billing_current
)
GROUP BY day, provider, model_key;

-- The reconciliation: per UTC day, provider and model, what was billed, what was traced, the
-- difference (ghost_usd = billed - traced: spend the bill shows and no trace explains) and the
-- part of it each known cause explains:
-- - explained_unpriced_usd: traced tokens without a price, at the bill's average usage price
--   per token for that model and day (needs token quantities in the bill);
-- - explained_tier_usd: usage billed at the flex tier that the traces costed at the standard
--   price. Spans that recorded the flex tier are costed at its rate by the tier rules
--   (aicost_service_tiers) and need no explanation; the flex bill they do not account for
--   (flex_usd - traced_flex_usd) is taken as spans costed at the standard price (no tier
--   recorded, or a standard one: traced_untiered_usd): the traces overstate it by that amount times
--   (1 - factor) / factor, at most what those spans cost times (1 - factor). Zero without a
--   multiplier rule for the provider's flex tier (its flex spans are unpriced,
--   unknown_service_tier, and explained_unpriced_usd covers them);
-- - explained_batch_usd: usage billed at the batch tier: Batch API jobs run outside the
--   application, so they have no spans;
-- - explained_price_change_usd: price_change_usd of aicost_traced_price_changes.
-- unexplained_usd is what is left. ghost_usd and the explained amounts are NULL when nothing
-- comparable in USD was billed for the row.
CREATE OR REPLACE VIEW {{database}}.aicost_reconciliation{{on_cluster}} AS
-- The tier rules as aicost_route_rules lists them: (catalogue_provider_id, tier, kind, factor).
WITH (SELECT groupArray((toString(catalogue_provider_id), tier, toString(kind), factor))
      FROM {{database}}.aicost_service_tiers FINAL) AS tier_rules,
     -- The provider's flex rule as (kind, factor); ('', NULL) without one.
     aicost_tier_rule(provider, 'flex', tier_rules) AS flex_rule
SELECT
    day,
    provider,
    model,
    billed.billed_rows AS billed_rows,
    billed.billed_usd AS billed_usd,
    billed.billed_other_currencies AS billed_other_currencies,
    billed.credits_usd AS credits_usd,
    billed.flex_usd AS flex_usd,
    billed.batch_usd AS batch_usd,
    billed.priority_usd AS priority_usd,
    billed.billed_tokens AS billed_tokens,
    billed.billed_output_tokens AS billed_output_tokens,
    billed.projects AS projects,
    traced.t_requests AS traced_requests,
    traced.t_unpriced_requests AS unpriced_requests,
    traced.t_cost_usd AS traced_usd,
    traced.t_input_tokens + traced.t_output_tokens AS traced_tokens,
    traced.t_output_tokens AS traced_output_tokens,
    traced.t_reasoning_tokens AS traced_reasoning_tokens,
    traced.t_unpriced_tokens AS unpriced_tokens,
    traced.t_flex_cost_usd AS traced_flex_usd,
    traced.t_untiered_cost_usd AS traced_untiered_usd,
    billed.billed_usd - traced.t_cost_usd AS ghost_usd,
    if(billed.billed_usd IS NULL, NULL,
       if(traced.t_unpriced_tokens > 0 AND billed.billed_tokens > 0 AND billed.usage_usd IS NOT NULL,
          CAST(round(CAST(assumeNotNull(billed.usage_usd) AS Decimal(38, 18)) * traced.t_unpriced_tokens
                     / CAST(billed.billed_tokens AS Decimal(38, 18)), 9) AS Decimal(38, 9)),
          toDecimal128(0, 9))) AS explained_unpriced_usd,
    if(billed.billed_usd IS NULL, NULL,
       if(flex_rule.1 = 'multiplier' AND assumeNotNull(flex_rule.2) > 0 AND assumeNotNull(flex_rule.2) < 1
          AND ifNull(billed.flex_usd, 0) > ifNull(traced.t_flex_cost_usd, 0) AND ifNull(traced.t_untiered_cost_usd, 0) > 0,
          -CAST(least(
              round((assumeNotNull(billed.flex_usd) - ifNull(traced.t_flex_cost_usd, 0))
                    * (1 - assumeNotNull(flex_rule.2)) / assumeNotNull(flex_rule.2), 9),
              round(assumeNotNull(traced.t_untiered_cost_usd) * (1 - assumeNotNull(flex_rule.2)), 9)) AS Decimal(38, 9)),
          toDecimal128(0, 9))) AS explained_tier_usd,
    if(billed.billed_usd IS NULL, NULL, ifNull(billed.batch_usd, toDecimal128(0, 9))) AS explained_batch_usd,
    if(billed.billed_usd IS NULL, NULL, ifNull(changes.price_change_usd, toDecimal128(0, 9))) AS explained_price_change_usd,
    ghost_usd - explained_unpriced_usd - explained_tier_usd - explained_batch_usd - explained_price_change_usd AS unexplained_usd
FROM {{database}}.aicost_billed_daily AS billed
FULL OUTER JOIN
(
    SELECT
        day, provider, model,
        sum(requests) AS t_requests,
        sum(unpriced_requests) AS t_unpriced_requests,
        sum(cost_usd) AS t_cost_usd,
        sum(input_tokens) AS t_input_tokens,
        sum(output_tokens) AS t_output_tokens,
        sum(reasoning_tokens) AS t_reasoning_tokens,
        sum(unpriced_tokens) AS t_unpriced_tokens,
        sum(flex_cost_usd) AS t_flex_cost_usd,
        sum(untiered_cost_usd) AS t_untiered_cost_usd
    FROM {{database}}.aicost_traced_daily
    GROUP BY day, provider, model
) AS traced USING (day, provider, model)
LEFT JOIN
(
    SELECT day AS change_day, provider AS change_provider, model AS change_model, price_change_usd
    FROM {{database}}.aicost_traced_price_changes
) AS changes ON changes.change_day = day AND changes.change_provider = provider AND changes.change_model = model;

-- The reconciliation added up per UTC day and billing provider (all models), the one place
-- the totals rule is written: a row without a USD bill (traced only, or billed in another
-- currency without a rate) counts as traced_not_billed_usd, never as ghost spend; the money
-- columns are NULL when no row of the day and provider was billed in USD. Totals over a window
-- are sums of these rows (sum() skips the NULLs): `aicost reconcile`, the UI's reconciliation
-- page and the Overview dashboard's bill panels read them.
CREATE OR REPLACE VIEW {{database}}.aicost_reconciliation_totals{{on_cluster}} AS
SELECT
    day,
    provider,
    rows_billed AS billed_models,
    if(rows_billed > 0, sum_billed, NULL) AS billed_usd,
    if(rows_billed > 0, sum_traced, NULL) AS traced_usd,
    if(rows_billed > 0, sum_ghost, NULL) AS ghost_usd,
    if(rows_billed > 0, sum_unpriced, NULL) AS explained_unpriced_usd,
    if(rows_billed > 0, sum_tier, NULL) AS explained_tier_usd,
    if(rows_billed > 0, sum_batch, NULL) AS explained_batch_usd,
    if(rows_billed > 0, sum_price_change, NULL) AS explained_price_change_usd,
    if(rows_billed > 0, sum_unexplained, NULL) AS unexplained_usd,
    sum_traced_not_billed AS traced_not_billed_usd,
    other_currencies AS billed_other_currencies
FROM
(
    -- Names of their own: an alias named like a column of aicost_reconciliation would hide it.
    SELECT
        day,
        provider,
        countIf(r.billed_usd IS NOT NULL) AS rows_billed,
        sumIf(assumeNotNull(r.billed_usd), r.billed_usd IS NOT NULL) AS sum_billed,
        sumIf(r.traced_usd, r.billed_usd IS NOT NULL) AS sum_traced,
        sumIf(assumeNotNull(r.ghost_usd), r.billed_usd IS NOT NULL) AS sum_ghost,
        sumIf(assumeNotNull(r.explained_unpriced_usd), r.billed_usd IS NOT NULL) AS sum_unpriced,
        sumIf(assumeNotNull(r.explained_tier_usd), r.billed_usd IS NOT NULL) AS sum_tier,
        sumIf(assumeNotNull(r.explained_batch_usd), r.billed_usd IS NOT NULL) AS sum_batch,
        sumIf(assumeNotNull(r.explained_price_change_usd), r.billed_usd IS NOT NULL) AS sum_price_change,
        sumIf(assumeNotNull(r.unexplained_usd), r.billed_usd IS NOT NULL) AS sum_unexplained,
        sumIf(r.traced_usd, r.billed_usd IS NULL) AS sum_traced_not_billed,
        sumMap(r.billed_other_currencies) AS other_currencies
    FROM {{database}}.aicost_reconciliation AS r
    GROUP BY day, provider
);

-- Billed spend per project (account, workspace, subscription) and the spans of the service
-- it maps to (aicost billing load --mapping), per UTC day and provider: a mapped project with
-- spend and no spans of its service is traffic aicost does not see (an uninstrumented service).
-- traced_requests counts the mapped service's spans to that provider, all models.
CREATE OR REPLACE VIEW {{database}}.aicost_reconciliation_by_project{{on_cluster}} AS
SELECT
    day,
    provider,
    billed.account AS account,
    billed.project AS project,
    billed.service AS service,
    billed.environment AS environment,
    billed.billed_usd AS billed_usd,
    billed.billed_tokens AS billed_tokens,
    traced.t_requests AS traced_requests,
    traced.t_cost_usd AS traced_usd
FROM
(
    SELECT
        day, provider, account, project, service, environment,
        sumIf(cost_usd, cost_usd IS NOT NULL) AS billed_usd,
        sumIf(assumeNotNull(quantity), unit = 'tokens') AS billed_tokens
    FROM {{database}}.aicost_billing_current
    GROUP BY day, provider, account, project, service, environment
) AS billed
LEFT JOIN
(
    SELECT day, provider, service, environment, sum(requests) AS t_requests, sum(cost_usd) AS t_cost_usd
    FROM {{database}}.aicost_traced_daily
    GROUP BY day, provider, service, environment
) AS traced
    ON traced.day = billed.day AND traced.provider = billed.provider AND traced.service = billed.service
    AND (billed.environment = '' OR traced.environment = billed.environment);
