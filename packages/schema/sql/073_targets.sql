-- aicost schema: unit-economics targets per feature and what breaks them.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Targets are data (`aicost targets load <file>`): per feature, a minimum gross AI margin
-- and/or a maximum cost per request, from a date on (a later row for the same feature takes
-- over from its valid_from). The Grafana alert rules (grafana/provisioning/alerting) and
-- `aicost economics` read the breach views below.

CREATE TABLE IF NOT EXISTS {{database}}.aicost_targets{{on_cluster}}
(
    feature LowCardinality(String),
    min_margin Nullable(Decimal(38, 9)) COMMENT 'lowest acceptable margin ratio, e.g. 0.7 for 70%; NULL: none',
    max_cost_per_request Nullable(Decimal(38, 9)) COMMENT 'highest acceptable USD per priced request; NULL: none',
    valid_from Date COMMENT 'first day the target applies (UTC)',
    note String,
    source String COMMENT 'the file it was loaded from',
    loaded_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = {{replicated}}ReplacingMergeTree({{on_every_node}}loaded_at)
ORDER BY (feature, valid_from);

CREATE OR REPLACE VIEW {{database}}.aicost_targets_current{{on_cluster}} AS
SELECT * EXCEPT loaded_at
FROM {{database}}.aicost_targets FINAL;

-- Per UTC day, environment, service and feature with a cost-per-request target: the cost per
-- priced request that day (rounded half up to the nano-dollar), the target in force, and
-- whether it was exceeded.
CREATE OR REPLACE VIEW {{database}}.aicost_cost_target_breaches{{on_cluster}} AS
SELECT
    c.day AS day, c.environment AS environment, c.service AS service, c.feature AS feature,
    c.requests AS requests, c.cost_usd AS cost_usd, c.cost_per_request_usd AS cost_per_request_usd,
    t.max_cost_per_request AS max_cost_per_request_usd,
    t.valid_from AS target_valid_from,
    toBool(c.cost_per_request_usd > t.max_cost_per_request) AS breached
FROM
(
    SELECT day, environment, service, feature, sum(requests) AS requests, sum(priced_requests) AS priced,
           sum(cost_total) AS cost_usd,
           CAST(round(CAST(cost_usd AS Decimal(38, 18)) / priced, 9) AS Decimal(38, 9)) AS cost_per_request_usd
    FROM {{database}}.aicost_rollup_feature_daily
    GROUP BY day, environment, service, feature
    HAVING priced > 0
) AS c
ASOF INNER JOIN
(
    SELECT feature, valid_from, assumeNotNull(max_cost_per_request) AS max_cost_per_request
    FROM {{database}}.aicost_targets_current
    WHERE max_cost_per_request IS NOT NULL
) AS t ON t.feature = c.feature AND c.day >= t.valid_from;

-- Which release of a service took a feature over its cost-per-request target: per
-- environment, service, release and feature (releases from otel_traces, see 071), the cost
-- per request, the release before it, and newly_breached when this release exceeds the target
-- and the one before did not.
CREATE OR REPLACE VIEW {{database}}.aicost_release_target_breaches{{on_cluster}} AS
SELECT
    environment, service, release, feature, first_seen, requests, cost_per_request_usd,
    max_cost_per_request_usd,
    lagInFrame(release, 1, '') OVER w AS previous_release,
    lagInFrame(toNullable(cost_per_request_usd), 1, NULL) OVER w AS previous_cost_per_request_usd,
    breached,
    toBool(breached AND NOT ifNull(lagInFrame(toNullable(breached), 1, NULL) OVER w, false)) AS newly_breached
FROM
(
    SELECT
        r.environment AS environment, r.service AS service, r.release AS release, r.feature AS feature,
        r.first_seen AS first_seen, r.requests AS requests, r.cost_per_request_usd AS cost_per_request_usd,
        t.max_cost_per_request AS max_cost_per_request_usd,
        toBool(r.cost_per_request_usd > t.max_cost_per_request) AS breached
    FROM
    (
        SELECT environment, service, service_version AS release, feature, min(timestamp) AS first_seen, toDate(first_seen) AS first_day,
               count() AS requests, countIf(cost_total IS NOT NULL) AS priced,
               CAST(round(CAST(sumIf(assumeNotNull(cost_total), cost_total IS NOT NULL) AS Decimal(38, 18)) / priced, 9)
                    AS Decimal(38, 9)) AS cost_per_request_usd
        FROM {{database}}.aicost_requests
        GROUP BY environment, service, release, feature
        HAVING priced > 0
    ) AS r
    ASOF INNER JOIN
    (
        SELECT feature, valid_from, assumeNotNull(max_cost_per_request) AS max_cost_per_request
        FROM {{database}}.aicost_targets_current
        WHERE max_cost_per_request IS NOT NULL
    ) AS t ON t.feature = r.feature AND r.first_day >= t.valid_from
)
WINDOW w AS (PARTITION BY environment, service, feature ORDER BY first_seen ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);

-- Per feature and billing period with a margin target (aicost_feature_margin, 072): the
-- margin ratio, the target in force at the period's start, and whether it is below it.
CREATE OR REPLACE VIEW {{database}}.aicost_margin_target_breaches{{on_cluster}} AS
SELECT
    m.feature AS feature, m.period_start AS period_start, m.period_end AS period_end,
    m.revenue AS revenue, m.ai_cost_usd AS ai_cost_usd, m.margin_ratio AS margin_ratio,
    t.min_margin AS min_margin, t.valid_from AS target_valid_from,
    toBool(m.margin_ratio < t.min_margin) AS breached
FROM
(
    SELECT * FROM {{database}}.aicost_feature_margin WHERE margin_ratio IS NOT NULL
) AS m
ASOF INNER JOIN
(
    SELECT feature, valid_from, assumeNotNull(min_margin) AS min_margin
    FROM {{database}}.aicost_targets_current
    WHERE min_margin IS NOT NULL
) AS t ON t.feature = m.feature AND m.period_start >= t.valid_from;
