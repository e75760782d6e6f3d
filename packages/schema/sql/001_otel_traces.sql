-- The exporter's trace tables, exactly as clickhouseexporter v0.165.1 creates them.
--
-- File conventions and template parameters ({{database}}, {{local}}, {{on_cluster}}, ...):
-- packages/schema/README.md. Applied by @aicost/schema's loader (`aicost migrate`).
--
-- Source: internal/sqltemplates/traces_table.sql, traces_id_ts_lookup_table.sql and
-- traces_id_ts_lookup_mv.sql of github.com/open-telemetry/opentelemetry-collector-contrib/
-- exporter/clickhouseexporter@v0.165.1, rendered with the exporter's defaults and our
-- database: database `otel`, traces_table_name `otel_traces`, table_engine `MergeTree()`,
-- cluster_name empty (the blank after the table name), ttl 0 (the empty line before
-- SETTINGS). Do not edit by hand: the exporter (create_schema: true) runs the same DDL,
-- and the schema below this file reads these columns. Attribute values land as strings;
-- Duration is UInt64 nanoseconds; SpanKind is `Client`/`Server`/...; StatusCode `Unset|Ok|Error`.

CREATE TABLE IF NOT EXISTS "{{database}}"."otel_traces{{local}}"{{on_cluster}}  (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(3)),
    TraceId String CODEC(ZSTD(3)),
    SpanId String CODEC(ZSTD(3)),
    ParentSpanId String CODEC(ZSTD(3)),
    TraceState String CODEC(ZSTD(3)),
    SpanName LowCardinality(String) CODEC(ZSTD(3)),
    SpanKind LowCardinality(String) CODEC(ZSTD(3)),
    ServiceName LowCardinality(String) CODEC(ZSTD(3)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    ScopeName String CODEC(ZSTD(3)),
    ScopeVersion String CODEC(ZSTD(3)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    Duration UInt64 CODEC(ZSTD(3)),
    StatusCode LowCardinality(String) CODEC(ZSTD(3)),
    StatusMessage String CODEC(ZSTD(3)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(3)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(3)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = {{replicated}}MergeTree()
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))

SETTINGS index_granularity=8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS "{{database}}"."otel_traces_trace_id_ts{{local}}"{{on_cluster}}  (
    TraceId String CODEC(ZSTD(3)),
    Start DateTime CODEC(Delta, ZSTD(3)),
    End DateTime CODEC(Delta, ZSTD(3)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = {{replicated}}MergeTree()
    PARTITION BY toDate(Start)
    ORDER BY (TraceId, Start)
    
    SETTINGS index_granularity=8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS "{{database}}"."otel_traces_trace_id_ts_mv"{{on_cluster}} 
TO "{{database}}"."otel_traces_trace_id_ts{{local}}"
AS SELECT
              TraceId,
              min(Timestamp) as Start,
              max(Timestamp) as End
   FROM "{{database}}"."otel_traces{{local}}"
   WHERE TraceId != ''
   GROUP BY TraceId;
