-- aicost schema: cost per request and per outcome by release.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- The release of a request is the request table's service_version (resource
-- `service.version` of the service that made the call) and its deployment (`deployment.id`,
-- else `vcs.ref.head.revision`); both are '' when the service sets neither. Requests stored
-- before migration 3 (service_version) or 7 (deployment) have ''. The hourly and daily rollups
-- carry both too, for cost by release over ranges the raw rows no longer cover.
--
-- One rule, written once here and read by `aicost report --by release`, the Economics
-- dashboard and the web UI (collector/README.md, "Cost by release"):
-- - An outcome counts for the release of the CALLS that produced it: every outcome recorded
--   (by any service, at any time) in a trace where the release made model calls, against the
--   cost of that release's calls in that trace. Outcomes are usually recorded by another
--   service (a worker, a webhook) whose own release says nothing about what the calls cost.
--   A trace whose calls span two releases counts its outcomes for each.
-- - The release before is the one first seen just before it in the same environment and
--   service over every stored request, not only the range asked for: a range that starts
--   after a release went out still compares it with the release it replaced. When that
--   release made no calls in the range, previous_release names it and the change is NULL.

-- Every request with its release under the name the economics views use (kept for SQL
-- users: documented in collector/README.md; the views here read aicost_requests).
CREATE OR REPLACE VIEW {{database}}.aicost_requests_with_release{{on_cluster}} AS
SELECT *, service_version AS release
FROM {{database}}.aicost_requests;

-- Per environment and service, each release in the order it was first seen (all stored
-- requests), with the one first seen just before it.
CREATE OR REPLACE VIEW {{database}}.aicost_release_order{{on_cluster}} AS
SELECT
    environment, service, release, first_seen, last_seen,
    lagInFrame(release, 1, '') OVER w AS previous_release
FROM
(
    SELECT environment, service, service_version AS release, min(timestamp) AS first_seen, max(timestamp) AS last_seen
    FROM {{database}}.aicost_requests
    GROUP BY environment, service, release
)
WINDOW w AS (PARTITION BY environment, service ORDER BY first_seen, release ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);

-- Parameterised: per environment, service, release and trace, the model calls in
-- [from, to) that the filters keep, and the outcomes recorded in that trace (the rule above).
-- filters: dimension -> values kept (any of them), e.g. map('feature', ['search']); a
-- dimension not in the map is not filtered; map() keeps every call.
CREATE OR REPLACE VIEW {{database}}.aicost_release_trace_costs{{on_cluster}} AS
SELECT
    c.environment AS environment, c.service AS service, c.release AS release, c.trace_id AS trace_id,
    c.deployment AS deployment, c.last_call AS last_call,
    c.calls AS calls, c.priced_calls AS priced_calls, c.priced_cost_usd AS priced_cost_usd,
    o.trace_outcomes AS trace_outcomes, o.outcomes_by_name AS outcomes_by_name
FROM
(
    SELECT
        environment, service, service_version AS release, trace_id,
        argMax(deployment, timestamp) AS deployment,
        max(timestamp) AS last_call,
        count() AS calls,
        countIf(cost_total IS NOT NULL) AS priced_calls,
        sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS priced_cost_usd
    FROM {{database}}.aicost_requests
    WHERE timestamp >= {from:DateTime64(9)} AND timestamp < {to:DateTime64(9)}
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'feature') OR has({filters:Map(String, Array(String))}['feature'], feature))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'customer') OR has({filters:Map(String, Array(String))}['customer'], customer))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'workflow') OR has({filters:Map(String, Array(String))}['workflow'], workflow))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'team') OR has({filters:Map(String, Array(String))}['team'], team))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'model') OR has({filters:Map(String, Array(String))}['model'], model))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'provider') OR has({filters:Map(String, Array(String))}['provider'], provider))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'operation') OR has({filters:Map(String, Array(String))}['operation'], operation))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'service') OR has({filters:Map(String, Array(String))}['service'], service))
      AND (NOT mapContains({filters:Map(String, Array(String))}, 'environment') OR has({filters:Map(String, Array(String))}['environment'], environment))
    GROUP BY environment, service, release, trace_id
) AS c
LEFT JOIN
(
    SELECT trace_id, count() AS trace_outcomes, sumMap(map(outcome, toUInt64(1))) AS outcomes_by_name
    FROM {{database}}.aicost_outcomes
    WHERE trace_id IN
    (
        SELECT trace_id FROM {{database}}.aicost_requests
        WHERE timestamp >= {from:DateTime64(9)} AND timestamp < {to:DateTime64(9)}
    )
    GROUP BY trace_id
) AS o ON o.trace_id = c.trace_id;

-- Parameterised (from, to, filters as aicost_release_trace_costs): per environment, service
-- and release of the calls in the range, cost per priced request and cost per outcome (all
-- outcome names together), each next to the release before it (aicost_release_order) in the
-- same range, with the change. Averages are rounded half up to the nano-dollar; *_change_usd
-- is exact (the difference of the two rounded figures); *_change_pct is change / previous x
-- 100 rounded half away from zero to 2 decimals (Decimal), NULL without a non-zero previous;
-- change_ratio is the same for display (Float64). cost_per_outcome_usd: NULL without outcomes
-- or when the calls of the outcome traces are all unpriced.
CREATE OR REPLACE VIEW {{database}}.aicost_release_costs_between{{on_cluster}} AS
WITH totals AS
(
    SELECT
        environment AS t_environment, service AS t_service, release AS t_release,
        argMax(deployment, last_call) AS t_deployment,
        sum(calls) AS t_requests,
        sum(priced_calls) AS t_priced_requests,
        if(t_priced_requests = 0, NULL, sum(priced_cost_usd)) AS t_cost_usd,
        if(t_priced_requests = 0, NULL,
           CAST(round(CAST(assumeNotNull(t_cost_usd) AS Decimal(38, 18)) / t_priced_requests, 9) AS Decimal(38, 9))) AS t_cost_per_request_usd,
        sum(trace_outcomes) AS t_outcomes,
        sumIf(priced_calls, trace_outcomes > 0) AS t_outcome_priced_requests,
        if(t_outcomes = 0 OR t_outcome_priced_requests = 0, NULL, sumIf(priced_cost_usd, trace_outcomes > 0)) AS t_outcome_cost_usd,
        if(t_outcome_cost_usd IS NULL, NULL,
           CAST(round(CAST(assumeNotNull(t_outcome_cost_usd) AS Decimal(38, 18)) / t_outcomes, 9) AS Decimal(38, 9))) AS t_cost_per_outcome_usd
    FROM {{database}}.aicost_release_trace_costs(from = {from:DateTime64(9)}, to = {to:DateTime64(9)}, filters = {filters:Map(String, Array(String))})
    GROUP BY environment, service, release
)
SELECT
    t.t_environment AS environment, t.t_service AS service, t.t_release AS release, t.t_deployment AS deployment,
    r.first_seen AS first_seen, r.last_seen AS last_seen,
    t.t_requests AS requests, t.t_priced_requests AS priced_requests, t.t_requests - t.t_priced_requests AS unpriced_requests,
    t.t_cost_usd AS cost_usd, t.t_cost_per_request_usd AS cost_per_request_usd,
    r.previous_release AS previous_release,
    p.t_cost_per_request_usd AS previous_cost_per_request_usd,
    cost_per_request_usd - previous_cost_per_request_usd AS change_usd,
    if(previous_cost_per_request_usd IS NULL OR previous_cost_per_request_usd = 0, NULL,
       CAST(round(CAST(change_usd AS Decimal(38, 18)) * 100 / previous_cost_per_request_usd, 2) AS Decimal(38, 2))) AS change_pct,
    if(previous_cost_per_request_usd IS NULL OR previous_cost_per_request_usd = 0, NULL,
       toFloat64(change_usd) / toFloat64(previous_cost_per_request_usd)) AS change_ratio,
    t.t_outcomes AS outcomes, t.t_outcome_priced_requests AS outcome_priced_requests,
    t.t_outcome_cost_usd AS outcome_cost_usd, t.t_cost_per_outcome_usd AS cost_per_outcome_usd,
    p.t_cost_per_outcome_usd AS previous_cost_per_outcome_usd,
    cost_per_outcome_usd - previous_cost_per_outcome_usd AS outcome_change_usd,
    if(previous_cost_per_outcome_usd IS NULL OR previous_cost_per_outcome_usd = 0, NULL,
       CAST(round(CAST(outcome_change_usd AS Decimal(38, 18)) * 100 / previous_cost_per_outcome_usd, 2) AS Decimal(38, 2))) AS outcome_change_pct
FROM totals AS t
INNER JOIN {{database}}.aicost_release_order AS r
    ON r.environment = t.t_environment AND r.service = t.t_service AND r.release = t.t_release
LEFT JOIN totals AS p
    ON p.t_environment = t.t_environment AND p.t_service = t.t_service AND p.t_release = r.previous_release;

-- Parameterised (from, to, filters as aicost_release_trace_costs): the same per outcome
-- name: per environment, service and release of the calls, and outcome, the outcomes of that
-- name in the traces where the release made calls, the priced cost of its calls there
-- (NULL when all unpriced), cost per outcome, and the change from the release before.
CREATE OR REPLACE VIEW {{database}}.aicost_release_outcome_costs_between{{on_cluster}} AS
WITH totals AS
(
    SELECT
        environment AS t_environment, service AS t_service, release AS t_release, name AS t_outcome,
        sum(count) AS t_outcomes,
        sum(calls) AS t_calls,
        sum(priced_calls) AS t_priced_calls,
        if(t_priced_calls = 0, NULL, sum(priced_cost_usd)) AS t_cost_usd,
        if(t_cost_usd IS NULL, NULL,
           CAST(round(CAST(assumeNotNull(t_cost_usd) AS Decimal(38, 18)) / t_outcomes, 9) AS Decimal(38, 9))) AS t_cost_per_outcome_usd
    FROM {{database}}.aicost_release_trace_costs(from = {from:DateTime64(9)}, to = {to:DateTime64(9)}, filters = {filters:Map(String, Array(String))})
    ARRAY JOIN mapKeys(outcomes_by_name) AS name, mapValues(outcomes_by_name) AS count
    GROUP BY environment, service, release, name
)
SELECT
    t.t_environment AS environment, t.t_service AS service, t.t_release AS release, t.t_outcome AS outcome,
    r.first_seen AS first_seen,
    t.t_outcomes AS outcomes, t.t_calls AS calls, t.t_calls - t.t_priced_calls AS unpriced_calls,
    t.t_cost_usd AS cost_usd, t.t_cost_per_outcome_usd AS cost_per_outcome_usd,
    r.previous_release AS previous_release,
    p.t_cost_per_outcome_usd AS previous_cost_per_outcome_usd,
    cost_per_outcome_usd - previous_cost_per_outcome_usd AS change_usd,
    if(previous_cost_per_outcome_usd IS NULL OR previous_cost_per_outcome_usd = 0, NULL,
       CAST(round(CAST(change_usd AS Decimal(38, 18)) * 100 / previous_cost_per_outcome_usd, 2) AS Decimal(38, 2))) AS change_pct
FROM totals AS t
INNER JOIN {{database}}.aicost_release_order AS r
    ON r.environment = t.t_environment AND r.service = t.t_service AND r.release = t.t_release
LEFT JOIN totals AS p
    ON p.t_environment = t.t_environment AND p.t_service = t.t_service AND p.t_release = r.previous_release
   AND p.t_outcome = t.t_outcome;

-- Every stored request (the parameterised view over all time, no filter): per environment,
-- service and release, cost per request and the change from the release before.
CREATE OR REPLACE VIEW {{database}}.aicost_release_costs{{on_cluster}} AS
SELECT
    environment, service, release, deployment, first_seen, last_seen,
    requests, priced_requests, unpriced_requests, cost_usd, cost_per_request_usd,
    previous_release, previous_cost_per_request_usd, change_usd, change_ratio
FROM {{database}}.aicost_release_costs_between(
    from = toDateTime64(0, 9, 'UTC'), to = toDateTime64('2262-04-11 00:00:00', 9, 'UTC'), filters = map());

-- Every stored request: cost per outcome by the release of the calls (the rule above), per
-- outcome name, with the change from the release before.
CREATE OR REPLACE VIEW {{database}}.aicost_release_outcome_costs{{on_cluster}} AS
SELECT
    environment, service, release, outcome, first_seen, outcomes, cost_usd, cost_per_outcome_usd,
    previous_release, previous_cost_per_outcome_usd, change_usd
FROM {{database}}.aicost_release_outcome_costs_between(
    from = toDateTime64(0, 9, 'UTC'), to = toDateTime64('2262-04-11 00:00:00', 9, 'UTC'), filters = map());
