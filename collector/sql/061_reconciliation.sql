-- aicost schema: the bill next to the traces, per provider, model and UTC day.
--
-- File conventions (every file in collector/sql/; read by `aicost migrate`, the test
-- harness and the compose stack, see collector/README.md "Schema reference"):
-- - files apply in lexical order; every statement is idempotent (IF NOT EXISTS, OR REPLACE);
-- - a statement ends with a line whose last non-blank character is `;`;
-- - lines starting with `--` are comments; there are no placeholders: the database is `otel`.
--
-- Reads otel.aicost_billing (060) and otel.aicost_requests (020). Used by `aicost reconcile`
-- and the "Does aicost match the bill?" dashboard panel, which select from
-- aicost_reconciliation with the same WHERE on day. Money is Decimal(38, 9) USD; billed
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

CREATE OR REPLACE FUNCTION aicost_billing_provider AS (name) ->
    transform(lower(name),
        ['azure.ai.openai', 'az.ai.openai', 'azure.ai.inference', 'az.ai.inference', 'gcp.gemini', 'gcp.vertex_ai',
         'gcp.gen_ai', 'gemini', 'vertex_ai', 'aws.bedrock', 'mistral_ai', 'x_ai', 'xai', 'together_ai'],
        ['azure', 'azure', 'azure', 'azure', 'google', 'google',
         'google', 'google', 'google', 'aws', 'mistral', 'x-ai', 'x-ai', 'together'],
        lower(name));

-- What was traced, per UTC day, billing provider, model, service and environment.
-- price_change_usd: the traced requests at the price valid today (aicost_requests_repriced)
-- minus their recorded cost: non-zero when prices changed since the spans were costed (a
-- price change in the period, or an application running an older catalogue).
CREATE OR REPLACE VIEW otel.aicost_traced_daily AS
SELECT
    traced.day AS day,
    traced.billing_provider AS provider,
    traced.model_key AS model,
    traced.service AS service,
    traced.environment AS environment,
    traced.day_requests AS requests,
    traced.day_unpriced_requests AS unpriced_requests,
    traced.day_cost_usd AS cost_usd,
    traced.day_input_tokens AS input_tokens,
    traced.day_output_tokens AS output_tokens,
    traced.day_reasoning_tokens AS reasoning_tokens,
    traced.day_unpriced_tokens AS unpriced_tokens,
    ifNull(repriced.price_change_usd, toDecimal128(0, 9)) AS price_change_usd
FROM
(
    SELECT
        toDate(timestamp, 'UTC') AS day,
        aicost_billing_provider(provider) AS billing_provider,
        if(price_model_id != '', toString(price_model_id), lower(toString(model))) AS model_key,
        service,
        environment,
        count() AS day_requests,
        countIf(cost_total IS NULL) AS day_unpriced_requests,
        sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS day_cost_usd,
        sum(input_tokens) AS day_input_tokens,
        sum(output_tokens) AS day_output_tokens,
        sum(reasoning_tokens) AS day_reasoning_tokens,
        sumIf(input_tokens + output_tokens, cost_total IS NULL) AS day_unpriced_tokens
    FROM otel.aicost_requests
    GROUP BY day, billing_provider, model_key, service, environment
) AS traced
LEFT JOIN
(
    SELECT
        toDate(timestamp, 'UTC') AS day,
        aicost_billing_provider(provider) AS billing_provider,
        if(repriced_price_model_id != '', toString(repriced_price_model_id), lower(toString(model))) AS model_key,
        service,
        environment,
        sumIf(assumeNotNull(difference_usd), difference_usd IS NOT NULL) AS price_change_usd
    FROM otel.aicost_requests_repriced
    WHERE recorded_cost_usd IS NOT NULL
    GROUP BY day, billing_provider, model_key, service, environment
) AS repriced
    ON repriced.day = traced.day AND repriced.billing_provider = traced.billing_provider
    AND repriced.model_key = traced.model_key AND repriced.service = traced.service
    AND repriced.environment = traced.environment;

-- What was billed, per UTC day, provider and model (the rows of aicost_billing_current).
-- billed_tokens: tokens of the usage reports (rows without a cost) when the day has any,
-- else the token quantities of the cost rows: importing both a usage and a cost export of the
-- same traffic does not count its tokens twice.
-- flex_usd / batch_usd / priority_usd: usage billed at those service tiers.
CREATE OR REPLACE VIEW otel.aicost_billed_daily AS
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
    FROM otel.aicost_billing_current
)
GROUP BY day, provider, model_key;

-- The reconciliation: per UTC day, provider and model, what was billed, what was traced, the
-- difference (ghost_usd = billed - traced: spend the bill shows and no trace explains) and the
-- part of it each known cause explains:
-- - explained_unpriced_usd: traced tokens without a price, at the bill's average usage price
--   per token for that model and day (needs token quantities in the bill);
-- - explained_tier_usd: usage billed at a discounted tier (flex), traced at standard prices:
--   flex is priced like Batch, half of standard, so the traces overstate it by what was billed;
-- - explained_batch_usd: usage billed at the batch tier: Batch API jobs run outside the
--   application, so they have no spans;
-- - explained_price_change_usd: price_change_usd of aicost_traced_daily.
-- unexplained_usd is what is left. ghost_usd and the explained amounts are NULL when nothing
-- comparable in USD was billed for the row.
CREATE OR REPLACE VIEW otel.aicost_reconciliation AS
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
    billed.billed_usd - traced.t_cost_usd AS ghost_usd,
    if(billed.billed_usd IS NULL, NULL,
       if(traced.t_unpriced_tokens > 0 AND billed.billed_tokens > 0 AND billed.usage_usd IS NOT NULL,
          CAST(round(CAST(assumeNotNull(billed.usage_usd) AS Decimal(38, 18)) * traced.t_unpriced_tokens
                     / CAST(billed.billed_tokens AS Decimal(38, 18)), 9) AS Decimal(38, 9)),
          toDecimal128(0, 9))) AS explained_unpriced_usd,
    if(billed.billed_usd IS NULL, NULL,
       if(traced.t_requests > 0, -ifNull(billed.flex_usd, toDecimal128(0, 9)), toDecimal128(0, 9))) AS explained_tier_usd,
    if(billed.billed_usd IS NULL, NULL, ifNull(billed.batch_usd, toDecimal128(0, 9))) AS explained_batch_usd,
    if(billed.billed_usd IS NULL, NULL, traced.t_price_change_usd) AS explained_price_change_usd,
    ghost_usd - explained_unpriced_usd - explained_tier_usd - explained_batch_usd - explained_price_change_usd AS unexplained_usd
FROM otel.aicost_billed_daily AS billed
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
        sum(price_change_usd) AS t_price_change_usd
    FROM otel.aicost_traced_daily
    GROUP BY day, provider, model
) AS traced USING (day, provider, model);

-- Billed spend per project (account, workspace, subscription) and the spans of the service
-- it maps to (aicost billing load --mapping), per UTC day and provider: a mapped project with
-- spend and no spans of its service is traffic aicost does not see (an uninstrumented service).
-- traced_requests counts the mapped service's spans to that provider, all models.
CREATE OR REPLACE VIEW otel.aicost_reconciliation_by_project AS
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
    FROM otel.aicost_billing_current
    GROUP BY day, provider, account, project, service, environment
) AS billed
LEFT JOIN
(
    SELECT day, provider, service, environment, sum(requests) AS t_requests, sum(cost_usd) AS t_cost_usd
    FROM otel.aicost_traced_daily
    GROUP BY day, provider, service, environment
) AS traced
    ON traced.day = billed.day AND traced.provider = billed.provider AND traced.service = billed.service
    AND (billed.environment = '' OR traced.environment = billed.environment);
