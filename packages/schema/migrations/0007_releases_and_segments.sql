-- Version 7: the release and the segment on the request table, the release on the rollups.
-- The request table gains deployment (resource deployment.id, else vcs.ref.head.revision,
-- next to service_version) and segment (aicost.segment attribution); the hourly and daily
-- rollups gain service_version and deployment at the end of their key (a key grows only at
-- its end, and only by columns added in the same statement). Rows written before keep ''.
-- The release views (071) and customer segments (072) then read these columns instead of
-- otel_traces; they are plain views, replaced by the schema files.
-- @refresh aicost_spans_mv aicost_spans_to_price_mv aicost_requests_recorded_mv aicost_requests_priced_mv aicost_rollup_hourly_mv aicost_rollup_daily_mv
ALTER TABLE {{database}}.aicost_requests{{local}}{{on_cluster}} ADD COLUMN IF NOT EXISTS deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision: the deployment or commit of the release' AFTER service_version;
ALTER TABLE {{database}}.aicost_spans{{on_cluster}} ADD COLUMN IF NOT EXISTS deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision: the deployment or commit of the release' AFTER service_version;
ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}} ADD COLUMN IF NOT EXISTS deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision: the deployment or commit of the release' AFTER service_version;
ALTER TABLE {{database}}.aicost_requests{{local}}{{on_cluster}} ADD COLUMN IF NOT EXISTS segment LowCardinality(String) COMMENT 'aicost.segment: the customer segment (enterprise, smb, ...)' AFTER team;
ALTER TABLE {{database}}.aicost_spans{{on_cluster}} ADD COLUMN IF NOT EXISTS segment LowCardinality(String) COMMENT 'aicost.segment: the customer segment (enterprise, smb, ...)' AFTER team;
ALTER TABLE {{database}}.aicost_spans_to_price{{on_cluster}} ADD COLUMN IF NOT EXISTS segment LowCardinality(String) COMMENT 'aicost.segment: the customer segment (enterprise, smb, ...)' AFTER team;
ALTER TABLE {{database}}.aicost_rollup_hourly{{local}}{{on_cluster}} ADD COLUMN IF NOT EXISTS service_version LowCardinality(String) COMMENT 'the release (resource service.version)' AFTER service, ADD COLUMN IF NOT EXISTS deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision' AFTER service_version, MODIFY ORDER BY (environment, service, hour, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment);
ALTER TABLE {{database}}.aicost_rollup_daily{{local}}{{on_cluster}} ADD COLUMN IF NOT EXISTS service_version LowCardinality(String) COMMENT 'the release (resource service.version)' AFTER service, ADD COLUMN IF NOT EXISTS deployment LowCardinality(String) COMMENT 'resource deployment.id, else vcs.ref.head.revision' AFTER service_version, MODIFY ORDER BY (environment, service, day, feature, customer, workflow, team, provider, model, operation, cost_status, service_version, deployment);
