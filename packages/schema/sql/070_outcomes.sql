-- aicost schema: business outcomes (cost per action) and their join to the model calls.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- `recordOutcome(name, { value, currency, attributes })` (@aicost/core) exports one short span
-- named `aicost.outcome` per outcome. A span, not a log or a metric: spans are what every
-- aicost pipeline stores (otel_traces), and a span carries the trace id that links the
-- outcome to the model calls of its request, even calls made by another service of the same
-- trace. Attribution (feature, customer, workflow, team, segment) arrives on it like on any
-- span, from the context and W3C baggage.
--
-- The release (resource `service.version`) and deployment (`deployment.id`, else
-- `vcs.ref.head.revision`) are columns of this table, as they are of the request table
-- (service_version, deployment).

CREATE TABLE IF NOT EXISTS {{database}}.aicost_outcomes{{local}}{{on_cluster}}
(
    timestamp DateTime64(9, 'UTC') COMMENT 'when the outcome was recorded',
    trace_id String,
    span_id String,
    parent_span_id String,
    service LowCardinality(String) COMMENT 'resource service.name of the service that recorded it',
    environment LowCardinality(String),
    release LowCardinality(String) COMMENT 'resource service.version',
    deployment String COMMENT 'resource deployment.id, else vcs.ref.head.revision',
    outcome LowCardinality(String) COMMENT 'aicost.outcome.name, e.g. ticket_resolved',
    value Nullable(Decimal(38, 9)) COMMENT 'aicost.outcome.value; NULL when not given',
    currency LowCardinality(String) COMMENT 'aicost.outcome.currency (ISO 4217); empty without a value',
    feature LowCardinality(String),
    customer String,
    workflow LowCardinality(String),
    team LowCardinality(String),
    segment LowCardinality(String) COMMENT 'aicost.segment',
    custom_attribution Map(LowCardinality(String), String) COMMENT 'aicost.attr.* attributes, prefix removed',
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = {{replicated}}MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, outcome, toStartOfHour(timestamp), feature, customer, timestamp)
TTL toDateTime(timestamp) + INTERVAL 400 DAY
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, {{dedup_window}} = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_outcomes_mv{{on_cluster}} TO {{database}}.aicost_outcomes{{local}} AS
SELECT
    Timestamp AS timestamp,
    TraceId AS trace_id,
    SpanId AS span_id,
    ParentSpanId AS parent_span_id,
    ResourceAttributes['service.name'] AS service,
    if(ResourceAttributes['deployment.environment.name'] != '',
       ResourceAttributes['deployment.environment.name'],
       ResourceAttributes['deployment.environment']) AS environment,
    ResourceAttributes['service.version'] AS release,
    if(ResourceAttributes['deployment.id'] != '',
       ResourceAttributes['deployment.id'],
       ResourceAttributes['vcs.ref.head.revision']) AS deployment,
    SpanAttributes['aicost.outcome.name'] AS outcome,
    toDecimal128OrNull(SpanAttributes['aicost.outcome.value'], 9) AS value,
    if(value IS NULL, '', SpanAttributes['aicost.outcome.currency']) AS currency,
    SpanAttributes['aicost.feature'] AS feature,
    SpanAttributes['aicost.customer'] AS customer,
    SpanAttributes['aicost.workflow'] AS workflow,
    SpanAttributes['aicost.team'] AS team,
    SpanAttributes['aicost.segment'] AS segment,
    mapApply((k, v) -> (substring(k, 13), v),
             mapFilter((k, v) -> startsWith(k, 'aicost.attr.'), SpanAttributes)) AS custom_attribution
FROM {{database}}.otel_traces{{local}}
WHERE SpanName = 'aicost.outcome' AND SpanAttributes['aicost.outcome.name'] != '';

-- The model calls of every trace that holds an outcome: one row per trace, whichever
-- services made the calls (the trace id travels between them in `traceparent`).
CREATE OR REPLACE VIEW {{database}}.aicost_outcome_trace_calls{{on_cluster}} AS
SELECT
    trace_id,
    count() AS calls,
    countIf(cost_total IS NOT NULL) AS priced_calls,
    countIf(cost_total IS NULL) AS unpriced_calls,
    sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS priced_cost_usd,
    arraySort(groupUniqArray(service)) AS call_services
FROM {{database}}.aicost_requests
WHERE trace_id IN (SELECT trace_id FROM {{database}}.aicost_outcomes)
GROUP BY trace_id;

-- One row per outcome with the model calls of its trace. A trace with several outcomes
-- shows its calls on each of them (use aicost_cost_per_outcome for totals, which counts a
-- trace once). cost_usd: NULL when the trace has calls and none of them is priced; 0 when
-- the trace made no model call.
CREATE OR REPLACE VIEW {{database}}.aicost_outcome_costs{{on_cluster}} AS
SELECT
    o.timestamp AS timestamp, o.trace_id AS trace_id, o.span_id AS span_id,
    o.environment AS environment, o.service AS service, o.release AS release,
    o.outcome AS outcome, o.value AS value, o.currency AS currency,
    o.feature AS feature, o.customer AS customer, o.workflow AS workflow, o.team AS team,
    o.segment AS segment,
    t.calls AS calls, t.unpriced_calls AS unpriced_calls,
    if(t.calls > 0 AND t.priced_calls = 0, NULL, t.priced_cost_usd) AS cost_usd,
    t.call_services AS call_services
FROM {{database}}.aicost_outcomes AS o
LEFT JOIN {{database}}.aicost_outcome_trace_calls AS t ON t.trace_id = o.trace_id;

-- Cost per outcome, joined by trace: per UTC day (of the outcome), environment, outcome,
-- the outcome's attribution and the release of the service that recorded it. cost_usd is the
-- priced model calls of the traces that produced these outcomes, each trace counted once
-- per row (calls of other services included); cost_per_outcome_usd = cost_usd / outcomes,
-- rounded half up to the nano-dollar. Calls in traces without an outcome (failed attempts)
-- are not in it: aicost_cost_per_outcome_by_workflow counts them.
CREATE OR REPLACE VIEW {{database}}.aicost_cost_per_outcome{{on_cluster}} AS
SELECT
    day, environment, outcome, feature, customer, segment, service, release,
    sum(o.outcome_count) AS outcomes,
    count() AS traces,
    sum(t.calls) AS calls,
    sum(t.unpriced_calls) AS unpriced_calls,
    if(calls > 0 AND sum(t.priced_calls) = 0, NULL, sum(t.priced_cost_usd)) AS cost_usd,
    if(cost_usd IS NULL, NULL,
       CAST(round(CAST(assumeNotNull(cost_usd) AS Decimal(38, 18)) / outcomes, 9) AS Decimal(38, 9))) AS cost_per_outcome_usd,
    sumIf(assumeNotNull(o.value_usd), o.value_usd IS NOT NULL) AS value_usd
FROM
(
    SELECT
        toDate(timestamp, 'UTC') AS day, environment, outcome, feature, customer, segment, service, release,
        trace_id,
        count() AS outcome_count,
        sumIf(assumeNotNull(value), value IS NOT NULL AND currency = 'USD') AS value_usd
    FROM {{database}}.aicost_outcomes
    GROUP BY day, environment, outcome, feature, customer, segment, service, release, trace_id
) AS o
LEFT JOIN {{database}}.aicost_outcome_trace_calls AS t ON t.trace_id = o.trace_id
GROUP BY day, environment, outcome, feature, customer, segment, service, release;

-- Cost per outcome, joined by workflow: every model call attributed to the workflow on that
-- UTC day (any service, any trace: failed attempts and retries included), divided by the
-- outcomes of that kind recorded for the workflow that day. A workflow with two kinds of
-- outcome shows its whole cost against each kind.
CREATE OR REPLACE VIEW {{database}}.aicost_cost_per_outcome_by_workflow{{on_cluster}} AS
SELECT
    o.day AS day, o.environment AS environment, o.workflow AS workflow, o.outcome AS outcome,
    o.outcomes AS outcomes,
    c.requests AS calls,
    c.unpriced_requests AS unpriced_calls,
    if(c.requests > 0 AND c.priced_requests = 0, NULL, c.cost_total) AS cost_usd,
    if(cost_usd IS NULL, NULL,
       CAST(round(CAST(assumeNotNull(cost_usd) AS Decimal(38, 18)) / o.outcomes, 9) AS Decimal(38, 9))) AS cost_per_outcome_usd
FROM
(
    SELECT toDate(timestamp, 'UTC') AS day, environment, workflow, outcome, count() AS outcomes
    FROM {{database}}.aicost_outcomes
    WHERE workflow != ''
    GROUP BY day, environment, workflow, outcome
) AS o
LEFT JOIN
(
    SELECT day, environment, workflow, sum(requests) AS requests, sum(priced_requests) AS priced_requests,
           sum(unpriced_requests) AS unpriced_requests, sum(cost_total) AS cost_total
    FROM {{database}}.aicost_rollup_daily
    WHERE workflow != ''
    GROUP BY day, environment, workflow
) AS c ON c.day = o.day AND c.environment = o.environment AND c.workflow = o.workflow;
