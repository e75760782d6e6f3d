-- aicost schema: a retried insert is written once, in the exporter's tables and in every table
-- the materialized views fill from them.
--
-- File conventions (every file in collector/sql/; read by `aicost migrate`, the test
-- harness and the compose stack, see collector/README.md "Schema reference"):
-- - files apply in lexical order; every statement is idempotent (IF NOT EXISTS, OR REPLACE);
-- - a statement ends with a line whose last non-blank character is `;`;
-- - lines starting with `--` are comments; there are no placeholders: the database is `otel`.
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
ALTER TABLE otel.otel_traces MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.otel_traces_trace_id_ts MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.otel_metrics_gauge MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.otel_metrics_sum MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.otel_metrics_summary MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.otel_metrics_histogram MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.otel_metrics_exponential_histogram MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.aicost_requests MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.aicost_rollup_hourly MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.aicost_rollup_daily MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.aicost_rollup_feature_daily MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE otel.aicost_rollup_customer_daily MODIFY SETTING non_replicated_deduplication_window = 10000;
