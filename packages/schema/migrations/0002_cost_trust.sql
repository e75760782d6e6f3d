-- Version 2: a sender's aicost.cost.* is kept only when consistent (016_cost_trust.sql): every
-- span with usage now goes through the pricing view, which checks a sent cost against the
-- catalogue's. The Null tables get the sent cost's columns; the pricing, pass-through and recorded views are
-- refreshed first (each behaves as before on what reaches it), then aicost_spans_mv, which
-- switches the routing in one statement (it leaves the cost columns of spans with usage
-- empty, so the unchanged filters send them to the pricing view): no span is lost or doubled
-- while spans are ingested during the upgrade.
-- @refresh aicost_spans_mv aicost_spans_to_price_mv aicost_requests_recorded_mv aicost_requests_priced_mv
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
