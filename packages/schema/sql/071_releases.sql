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

-- Every request with its release under the name the economics views use.
CREATE OR REPLACE VIEW {{database}}.aicost_requests_with_release{{on_cluster}} AS
SELECT *, service_version AS release
FROM {{database}}.aicost_requests;

-- Per environment, service and release: requests and cost per request, next to the
-- release before it (the one first seen just before, in the same environment and service)
-- and the change between them. Releases are ordered by first_seen; cost_per_request_usd
-- averages the priced requests, rounded half up to the nano-dollar; change_usd is exact
-- (the difference of the two rounded figures); change_ratio is change_usd / previous, for
-- display (Float64).
CREATE OR REPLACE VIEW {{database}}.aicost_release_costs{{on_cluster}} AS
SELECT
    environment, service, release, deployment, first_seen, last_seen,
    requests, priced_requests, unpriced_requests, cost_usd, cost_per_request_usd,
    lagInFrame(release, 1, '') OVER w AS previous_release,
    lagInFrame(cost_per_request_usd, 1, NULL) OVER w AS previous_cost_per_request_usd,
    cost_per_request_usd - previous_cost_per_request_usd AS change_usd,
    if(previous_cost_per_request_usd IS NULL OR previous_cost_per_request_usd = 0, NULL,
       toFloat64(change_usd) / toFloat64(previous_cost_per_request_usd)) AS change_ratio
FROM
(
    SELECT
        environment, service, service_version AS release,
        argMax(deployment, timestamp) AS deployment,
        min(timestamp) AS first_seen,
        max(timestamp) AS last_seen,
        count() AS requests,
        countIf(cost_total IS NOT NULL) AS priced_requests,
        countIf(cost_total IS NULL) AS unpriced_requests,
        if(priced_requests = 0, NULL, sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL)) AS cost_usd,
        if(priced_requests = 0, NULL,
           CAST(round(CAST(assumeNotNull(cost_usd) AS Decimal(38, 18)) / priced_requests, 9) AS Decimal(38, 9))) AS cost_per_request_usd
    FROM {{database}}.aicost_requests
    GROUP BY environment, service, release
)
WINDOW w AS (PARTITION BY environment, service ORDER BY first_seen ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);

-- Cost per outcome by the release of the service that recorded the outcome (joined by trace,
-- as aicost_cost_per_outcome), next to the release before it.
CREATE OR REPLACE VIEW {{database}}.aicost_release_outcome_costs{{on_cluster}} AS
SELECT
    environment, service, release, outcome, first_seen, outcomes, cost_usd, cost_per_outcome_usd,
    lagInFrame(release, 1, '') OVER w AS previous_release,
    lagInFrame(cost_per_outcome_usd, 1, NULL) OVER w AS previous_cost_per_outcome_usd,
    cost_per_outcome_usd - previous_cost_per_outcome_usd AS change_usd
FROM
(
    SELECT
        o.environment AS environment, o.service AS service, o.release AS release, o.outcome AS outcome,
        min(o.first_seen) AS first_seen,
        sum(o.outcome_count) AS outcomes,
        if(sum(t.calls) > 0 AND sum(t.priced_calls) = 0, NULL, sum(t.priced_cost_usd)) AS cost_usd,
        if(cost_usd IS NULL, NULL,
           CAST(round(CAST(assumeNotNull(cost_usd) AS Decimal(38, 18)) / outcomes, 9) AS Decimal(38, 9))) AS cost_per_outcome_usd
    FROM
    (
        SELECT environment, service, release, outcome, trace_id, min(timestamp) AS first_seen, count() AS outcome_count
        FROM {{database}}.aicost_outcomes
        GROUP BY environment, service, release, outcome, trace_id
    ) AS o
    LEFT JOIN {{database}}.aicost_outcome_trace_calls AS t ON t.trace_id = o.trace_id
    GROUP BY environment, service, release, outcome
)
WINDOW w AS (PARTITION BY environment, service, outcome ORDER BY first_seen ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);
