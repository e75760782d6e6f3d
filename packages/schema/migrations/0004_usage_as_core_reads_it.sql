-- Version 4: token counts are read as @aicost/core reads them. A count that is not one
-- (negative, fractional, NaN, text) was read as 0 and priced; a count above 1e12, or parts
-- above their whole that the price keys did not separate (audio output above the output), were
-- priced too. The Null tables get usage_readable (aicost_spans_mv checks the raw strings); the
-- pricing view calls such usage invalid_usage (aicost_usage_consistent, 015_pricing.sql). The
-- pass-through and pricing views are refreshed before aicost_spans_mv starts writing the column
-- (downstream first), and the column defaults to true meanwhile: no span lost or doubled.
-- @refresh aicost_spans_mv aicost_spans_to_price_mv aicost_requests_priced_mv
ALTER TABLE {{database}}.aicost_spans{{on_cluster}}
    ADD COLUMN IF NOT EXISTS usage_readable Bool DEFAULT true;
ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}}
    ADD COLUMN IF NOT EXISTS usage_readable Bool DEFAULT true;
