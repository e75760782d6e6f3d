-- aicost schema: hourly and daily cost rollups, maintained from the request table.
-- No TTL on the daily rollups: they are small and they are the long-term memory of spend.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- SummingMergeTree with Decimal(38, 9) sums: background merges add rows with the same key,
-- exactly (integer arithmetic on nano-dollars), so rollup totals equal raw totals to the
-- nano-dollar. Parts merge eventually: ALWAYS read with sum(...) GROUP BY, never row by row.
-- Cost sums cover priced requests only; `unpriced_requests` counts the rest (an unknown cost
-- is not 0, and a sum cannot say so: the count does).
-- The measures (the same in every rollup) come from src/rollup-measures.ts: the
-- rollup_measure_columns and rollup_measures parameters. Their source columns are qualified
-- (`r.cost_total`) because the output columns reuse their names and an unqualified name inside
-- an aggregate would mean the output alias.
-- Rows inserted into aicost_requests before these views existed are not rolled up; to
-- backfill, INSERT INTO the rollup SELECT ... FROM otel.aicost_requests (same SELECT as below)
-- for the missing period.

-- Hour x every dimension a dashboard filters or groups by. Feeds Grafana (time series at
-- hour resolution) and any query over days to months. Keyed like the request table:
-- environment, service, then time, then attribution. TTL 800 days (two years of hourly
-- detail); the daily rollup keeps longer.
-- The release (service_version, deployment: the request table's columns) ends the key of the
-- hourly and daily rollups: cost per request by release over months without the raw rows.
-- It is last because migration 7 added it to existing tables (a key grows only at its end,
-- and the primary index of an existing table stays what it was: hence PRIMARY KEY, so that a
-- new table is the same as an upgraded one); rows rolled up before that migration have ''.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_rollup_hourly{{local}}{{on_cluster}}
(
    hour DateTime('UTC'),
    environment LowCardinality(String),
    service LowCardinality(String),
    service_version LowCardinality(String) COMMENT 'the release (resource service.version)',
    deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision',
    feature LowCardinality(String),
    customer String,
    workflow LowCardinality(String),
    team LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    operation LowCardinality(String),
    cost_status LowCardinality(String),
    {{rollup_measure_columns}}
)
ENGINE = {{replicated}}SummingMergeTree
PARTITION BY toYYYYMM(hour)
PRIMARY KEY (environment, service, hour, feature, customer, workflow, team, provider, model, operation, cost_status)
ORDER BY (environment, service, hour, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment)
TTL hour + INTERVAL 800 DAY
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_rollup_hourly_mv{{on_cluster}} TO {{database}}.aicost_rollup_hourly{{local}} AS
SELECT
    toStartOfHour(timestamp) AS hour,
    environment, service, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment,
    {{rollup_measures}}
FROM {{database}}.aicost_requests{{local}} AS r
GROUP BY hour, environment, service, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment;

-- Day (UTC) x the same dimensions: up to 24x fewer rows than hourly, for month-scale reports
-- that slice by several dimensions at once (cost per customer per feature this month).
-- No TTL: it is the long-term memory of spend.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_rollup_daily{{local}}{{on_cluster}}
(
    day Date,
    environment LowCardinality(String),
    service LowCardinality(String),
    service_version LowCardinality(String) COMMENT 'the release (resource service.version)',
    deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision',
    feature LowCardinality(String),
    customer String,
    workflow LowCardinality(String),
    team LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    operation LowCardinality(String),
    cost_status LowCardinality(String),
    {{rollup_measure_columns}}
)
ENGINE = {{replicated}}SummingMergeTree
PARTITION BY toYYYYMM(day)
PRIMARY KEY (environment, service, day, feature, customer, workflow, team, provider, model, operation, cost_status)
ORDER BY (environment, service, day, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_rollup_daily_mv{{on_cluster}} TO {{database}}.aicost_rollup_daily{{local}} AS
SELECT
    toDate(timestamp, 'UTC') AS day,
    environment, service, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment,
    {{rollup_measures}}
FROM {{database}}.aicost_requests{{local}} AS r
GROUP BY day, environment, service, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment;

-- Narrow daily rollups, one per dominant question, because a rollup is only as small as its
-- key: with customer in the key, "cost by feature over 30 days" still reads a row per
-- (day, feature, customer, model, ...) and gains little over the raw table (see
-- bench/README.md). Without customer, a month of feature costs is a few thousand rows.
-- Day x feature x model (no customer, workflow or team): aicost_cost_by_feature_daily and
-- aicost_unit_cost read it.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_rollup_feature_daily{{local}}{{on_cluster}}
(
    day Date,
    environment LowCardinality(String),
    service LowCardinality(String),
    feature LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    operation LowCardinality(String),
    cost_status LowCardinality(String),
    {{rollup_measure_columns}}
)
ENGINE = {{replicated}}SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (environment, service, day, feature, provider, model, operation, cost_status)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_rollup_feature_daily_mv{{on_cluster}} TO {{database}}.aicost_rollup_feature_daily{{local}} AS
SELECT
    toDate(timestamp, 'UTC') AS day,
    environment, service, feature, provider, model, operation, cost_status,
    {{rollup_measures}}
FROM {{database}}.aicost_requests{{local}} AS r
GROUP BY day, environment, service, feature, provider, model, operation, cost_status;

-- Day x customer (no feature or model): aicost_cost_by_customer_daily reads it.
CREATE TABLE IF NOT EXISTS {{database}}.aicost_rollup_customer_daily{{local}}{{on_cluster}}
(
    day Date,
    environment LowCardinality(String),
    service LowCardinality(String),
    customer String,
    cost_status LowCardinality(String),
    {{rollup_measure_columns}}
)
ENGINE = {{replicated}}SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (environment, service, day, customer, cost_status)
SETTINGS index_granularity = 8192;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.aicost_rollup_customer_daily_mv{{on_cluster}} TO {{database}}.aicost_rollup_customer_daily{{local}} AS
SELECT
    toDate(timestamp, 'UTC') AS day,
    environment, service, customer, cost_status,
    {{rollup_measures}}
FROM {{database}}.aicost_requests{{local}} AS r
GROUP BY day, environment, service, customer, cost_status;
