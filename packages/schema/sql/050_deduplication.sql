-- aicost schema: a retried insert is written once, in the exporter's tables and in every table
-- the materialized views fill from them.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Delivery is at-least-once: the collector retries a batch whose INSERT failed or timed out
-- (retry_on_failure), although the server may have written it. Without deduplication the
-- retried batch would count twice in aicost_requests and in every rollup.
--
-- ClickHouse's insert deduplication: each inserted block is hashed (or carries an
-- insert_deduplication_token) and a block whose hash is among the table's last N blocks is
-- dropped. Replicated tables keep N hashes by default; plain MergeTree tables only when
-- non_replicated_deduplication_window > 0, set here. With
-- deduplicate_blocks_in_dependent_materialized_views = 1 (the writer's profile,
-- collector/clickhouse/users.xml) the blocks a view writes are deduplicated too, so a retry
-- that reaches otel_traces a second time adds nothing to aicost_requests or the rollups.
-- Synchronous inserts only: asynchronous inserts into a non-replicated table are not
-- deduplicated unless they carry an insert_deduplication_token (which the exporter does not
-- send), so the collector inserts with async_insert: false (collector/config.yaml).
-- See collector/README.md "Duplicate inserts".
--
-- N = 10000 blocks per table: the collector's retries give up after 10 minutes, and 10000
-- covers that many minutes of inserts of several collectors (each inserts every few seconds;
-- aicost_requests receives up to two blocks per insert, one per request view). The window
-- costs a hash (~50 bytes) per block in a small file per table.
--
-- The exporter's tables are altered here, not created with the setting: their CREATE
-- statements (001, 002) stay exactly the exporter's.
ALTER TABLE {{database}}.otel_traces{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.otel_traces_trace_id_ts{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.otel_metrics_gauge{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.otel_metrics_sum{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.otel_metrics_summary{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.otel_metrics_histogram{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.otel_metrics_exponential_histogram{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.aicost_requests{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.aicost_rollup_hourly{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.aicost_rollup_daily{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.aicost_rollup_feature_daily{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;

ALTER TABLE {{database}}.aicost_rollup_customer_daily{{local}}{{on_cluster}} MODIFY SETTING {{dedup_window}} = 10000;
