-- aicost schema: what the providers billed, imported from their usage and cost exports.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Rows are written by `aicost billing load` (packages/cli/src/billing/), which parses the
-- provider's file locally: OpenAI Usage/Costs API pages and the dashboard CSV, Anthropic usage
-- and cost reports, Google Cloud Billing export rows, AWS CUR 2.0 rows, Azure Cost Management
-- exports. One row per line item of the provider's file (a usage report's result becomes one
-- row per token kind). Nothing is dropped: a row whose model cannot be recognised keeps
-- model = '' and the provider's own text in billed_model.
--
-- Money: Decimal(38, 9) from the provider's decimal text (never a float on the way); an amount
-- with more than 9 decimals is rounded half away from zero to the nano and its exact text kept
-- in cost_text. Currencies are never added together: cost is in `currency`; cost_usd is the
-- same amount when the currency is USD, the amount times a rate the user gave
-- (`--usd-rate EUR=1.08`, kept in usd_rate), else NULL (not comparable with traced USD).
-- Credits, refunds and discounts are kept as rows of their own, negative, with charge_type
-- saying which.
--
-- Idempotence: row_hash is the SHA-256 of the row's identity (provider, format, account,
-- project, model text, tier, usage and charge type, day, quantity, unit, cost, currency, and
-- the n-th occurrence of that identity in its file). ReplacingMergeTree keyed by it keeps one
-- copy (the newest import) of a row imported twice, from the same file or from an overlapping
-- export; read through aicost_billing_current (FINAL) so unmerged copies never count twice.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_billing{{on_cluster}}
(
    row_hash String COMMENT 'SHA-256 (hex) of the row identity: the idempotence key',
    import_id String COMMENT 'SHA-256 (hex) of the imported file content',
    provider LowCardinality(String) COMMENT 'catalogue provider id of who billed: openai, anthropic, google, aws, azure',
    source_format LowCardinality(String) COMMENT 'openai-costs, openai-usage, openai-costs-csv, anthropic-cost, anthropic-usage, gcp-billing, aws-cur2, azure-cost',
    account String COMMENT 'organization, billing account or payer account as the file names it',
    project String COMMENT 'project, workspace, subscription or usage account as the file names it',
    service LowCardinality(String) COMMENT 'from the mapping file (aicost billing load --mapping); empty if unmapped',
    environment LowCardinality(String) COMMENT 'from the mapping file; empty if unmapped',
    billed_model String COMMENT 'the model (or line item / SKU / meter) text the provider wrote',
    model LowCardinality(String) COMMENT 'catalogue model id (the one spans carry in price_model_id); empty = unknown',
    model_name LowCardinality(String) COMMENT 'the model name read from billed_model, lower case: the catalogue id when known; empty when the row names none',
    service_tier LowCardinality(String) COMMENT 'standard, flex, batch, priority, scale... when the file says; empty otherwise',
    usage_type LowCardinality(String) COMMENT 'input, cached_input, cache_write, output, requests, web_search, ... or other',
    charge_type LowCardinality(String) COMMENT 'usage, credit, refund, discount, tax, fee, adjustment',
    day Date COMMENT 'UTC day of the usage',
    quantity Nullable(Decimal(38, 9)) COMMENT 'usage quantity in unit; NULL when the file gives none',
    unit LowCardinality(String) COMMENT 'tokens, requests, characters, ... as normalised, or the provider unit',
    cost Nullable(Decimal(38, 9)) COMMENT 'amount in currency; NULL for usage-only rows (usage reports)',
    cost_text String COMMENT 'the amount exactly as the file wrote it (after unit conversion such as cents)',
    currency LowCardinality(String) COMMENT 'ISO 4217, upper case',
    usd_rate Nullable(Decimal(38, 9)) COMMENT 'USD per unit of currency given by the user; NULL when none',
    cost_usd Nullable(Decimal(38, 9)) COMMENT 'cost in USD: cost for USD rows, cost * usd_rate when a rate was given, else NULL',
    source_file String COMMENT 'path of the imported file as given',
    source_line UInt32 COMMENT 'line of the row in the file (1-based; for JSON, the line where the result object starts)',
    imported_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'when the row was imported; the newest copy wins'
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}imported_at)
PARTITION BY toYYYYMM(day)
ORDER BY (provider, day, row_hash);

-- The rows as they count: one copy per row_hash (the newest import).
CREATE OR REPLACE VIEW {{database}}.aicost_billing_current{{on_cluster}} AS
SELECT *
FROM {{database}}.aicost_billing FINAL;
