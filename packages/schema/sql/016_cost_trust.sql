-- aicost schema: which costs a sender may write (collector/README.md "Security").
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- @aicost/core prices each call in the application and puts the cost on the span
-- (`aicost.cost.*`). Anyone who can send OTLP can put any value there, so the request table
-- (020) keeps a sender's cost only when it is consistent:
-- - it parses as a decimal amount, is not negative nor above aicost_cost_ceiling(), and no part is negative or larger than
--   the total (the parts are the five components of the semconv contract);
-- - its currency is USD (or absent: the SDK's unit) and its status one that carries a cost
--   (priced, estimated, provider_reported, override); a cost on a span marked `unpriced` is not;
-- - where the catalogue prices the same usage (015's rule, at the span's time), the sender's
--   total is within a factor aicost_cost_tolerance() of the catalogue's, either way.
-- A cost that fails is dropped: the span is re-priced from the catalogue when it can be,
-- else it is unpriced (NULL cost); either way its status reason is `invalid_cost`.
--
-- The tolerance is wide on purpose: legitimate costs differ from the catalogue by a negotiated
-- discount (override), a provider's own bill (provider_reported, e.g. OpenRouter), a service
-- tier the catalogue does not know (Batch/flex at half price, priority at about twice), a
-- price change between the SDK's catalogue and the loaded one, or a stream priced from the
-- usage seen before it broke (estimated). It still refuses zero for millions of tokens and a
-- cost a thousand times the price. Where the catalogue has no price for the usage (unknown
-- or self-hosted models), only the checks above apply.

-- How far a sender's total may be from the catalogue's cost for the same usage, as a factor.
CREATE OR REPLACE FUNCTION aicost_cost_tolerance{{on_cluster}} AS () -> 10;

-- The largest cost one model call may carry, in USD. Nothing a provider bills for one call
-- comes near it; the bound is what keeps every sum of stored costs far inside Decimal(38, 9)
-- (10^19 requests at the ceiling still fit), so a forged huge cost cannot wrap a total.
CREATE OR REPLACE FUNCTION aicost_cost_ceiling{{on_cluster}} AS () -> toDecimal128('1000000000', 9);

-- The sender's own cost on its own terms. `sent` = (total, input, cache_read, cache_write,
-- output, other) as parsed (Nullable(Decimal(38, 9)); NULL: absent or not a decimal),
-- `currency` and `status` as sent. Parts are added as Decimal256 so that no sum of
-- Decimal(38, 9) values can overflow (an exception would fail the whole insert).
CREATE OR REPLACE FUNCTION aicost_sent_cost_consistent{{on_cluster}} AS (sent, currency, status) ->
    sent.1 IS NOT NULL
    AND currency IN ('', 'USD')
    AND status IN ('', 'priced', 'estimated', 'provider_reported', 'override')
    AND sent.1 >= 0
    AND sent.1 <= aicost_cost_ceiling()
    AND least(ifNull(sent.2, 0), ifNull(sent.3, 0), ifNull(sent.4, 0), ifNull(sent.5, 0), ifNull(sent.6, 0)) >= 0
    AND toDecimal256(ifNull(sent.2, 0), 9) + toDecimal256(ifNull(sent.3, 0), 9) + toDecimal256(ifNull(sent.4, 0), 9)
        + toDecimal256(ifNull(sent.5, 0), 9) + toDecimal256(ifNull(sent.6, 0), 9) <= toDecimal256(sent.1, 9);

-- Whether `total` is within aicost_cost_tolerance() of `catalogue_total`, either way. Compared
-- as Float64: the bound is a ratio, and Decimal products could overflow.
CREATE OR REPLACE FUNCTION aicost_cost_near_catalogue{{on_cluster}} AS (total, catalogue_total) ->
    toFloat64(total) <= toFloat64(catalogue_total) * aicost_cost_tolerance()
    AND toFloat64(total) * aicost_cost_tolerance() >= toFloat64(catalogue_total);

-- What becomes of a sender's cost: 'kept', 'invalid' (the sender gave a cost that fails the
-- checks above) or 'absent' (none given). `catalogue_priced`: the catalogue prices this usage
-- at the span's time; `catalogue_total`: that price (ignored otherwise).
CREATE OR REPLACE FUNCTION aicost_sent_cost_verdict{{on_cluster}} AS (sent, currency, status, catalogue_priced, catalogue_total) ->
    multiIf(sent.1 IS NULL, 'absent',
            NOT aicost_sent_cost_consistent(sent, currency, status), 'invalid',
            catalogue_priced AND NOT aicost_cost_near_catalogue(sent.1, catalogue_total), 'invalid',
            'kept');
