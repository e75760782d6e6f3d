/**
 * The schema files: format, idempotence, and the exporter's tables exactly as
 * clickhouseexporter v0.165.1 creates them.
 */

import { readSchema } from '@aicost/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EngineSession,
  EXPORTER_TRACE_COLUMNS,
  insertSpans,
  loadPriceRows,
  migrate,
  openEngine,
  splitStatements,
} from '../support/chdb.js';
import { ALIASES, callSpan, keepPinnedDates, PRICES } from './fixtures.js';

describe('splitStatements', () => {
  it('splits on a line ending with `;` and drops comment lines', () => {
    const sql = [
      '-- header',
      "CREATE TABLE a (x String DEFAULT 'a;b')",
      'ENGINE = Memory;',
      '',
      '  -- indented comment',
      'SELECT 1;',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      "CREATE TABLE a (x String DEFAULT 'a;b')\nENGINE = Memory",
      'SELECT 1',
    ]);
  });

  it('refuses a trailing statement without `;` instead of silently dropping it', () => {
    expect(() => splitStatements('SELECT 1;\nSELECT 2')).toThrow(/terminating ';'/);
  });
});

describe('the schema files', () => {
  const files = readSchema();

  it('are numbered, ordered and non-empty', () => {
    const names = files.map((f) => f.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('000_database.sql');
    for (const file of files) expect(file.statements.length).toBeGreaterThan(0);
  });

  // Changes that are not idempotent (ALTER ... ADD COLUMN, MODIFY QUERY) are migrations
  // (packages/schema/migrations, test/schema/upgrade.test.ts), never schema files.
  it('hold only idempotent DDL: CREATE ... IF NOT EXISTS, CREATE OR REPLACE VIEW/FUNCTION, DROP ... IF EXISTS, ALTER TABLE ... MODIFY SETTING / ADD COLUMN IF NOT EXISTS', () => {
    for (const { name, statements } of files) {
      for (const statement of statements) {
        expect(statement, name).toMatch(
          /^(CREATE (DATABASE IF NOT EXISTS|TABLE IF NOT EXISTS|MATERIALIZED VIEW IF NOT EXISTS|DICTIONARY IF NOT EXISTS|OR REPLACE VIEW|OR REPLACE FUNCTION aicost_\w+)|DROP VIEW IF EXISTS|ALTER TABLE otel\.\w+\s+(MODIFY SETTING|ADD COLUMN IF NOT EXISTS))\s/,
        );
      }
    }
  });

  it('price at ingest and re-price through the one rule of 015_pricing.sql', () => {
    const text = (file: string) =>
      readSchema()
        .find((f) => f.name === file)!
        .statements.join('\n');
    expect(text('015_pricing.sql')).toContain('CREATE OR REPLACE FUNCTION aicost_request_cost');
    for (const file of ['020_requests.sql', '040_views.sql']) {
      const sql = text(file);
      expect(sql, file).toContain('aicost_price_match(');
      expect(sql, file).toContain('aicost_request_cost(');
      // No pricing arithmetic of their own: leaves and rounding live in the functions only.
      expect(sql, file).not.toMatch(/leaf|aicost_line\(/);
    }
    expect(text('020_requests.sql')).not.toContain('round(');
  });
});

describe('applied to the engine', () => {
  let engine: EngineSession;
  beforeAll(() => {
    engine = openEngine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('apply twice without error, then again over data without losing or doubling anything', {
    timeout: 120_000,
  }, async () => {
    await migrate(engine);
    await migrate(engine);
    await loadPriceRows(engine, PRICES, ALIASES);
    const span = (spanId: string) =>
      callSpan({
        // Yesterday: inside the request table's TTL on any date.
        start: new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 14 * 3_600_000),
        spanId,
        provider: 'openai',
        requestModel: 'gpt-4o',
        usage: { input: 1000 },
      });
    await insertSpans(engine, [span('00000000000000a1')]);
    // A store from the one-view layout still has aicost_requests_mv (otel_traces -> requests):
    // migrating must retire it, or every span would land twice.
    engine.exec(`CREATE MATERIALIZED VIEW otel.aicost_requests_mv TO otel.aicost_requests AS
                 SELECT Timestamp AS timestamp, SpanId AS span_id FROM otel.otel_traces`);
    await migrate(engine);
    await insertSpans(engine, [span('00000000000000a2')]);
    const counts = engine.query<{ requests: string; hourly: string; daily: string; traces: string }>(`
      SELECT
        (SELECT count() FROM otel.aicost_requests) AS requests,
        (SELECT sum(requests) FROM otel.aicost_rollup_hourly) AS hourly,
        (SELECT sum(requests) FROM otel.aicost_rollup_daily) AS daily,
        (SELECT count() FROM otel.otel_traces) AS traces`);
    expect(counts).toEqual([{ requests: '2', hourly: '2', daily: '2', traces: '2' }]);
  });

  it('create the exporter trace table with its exact columns, types and codecs', () => {
    const columns = engine.query<{ name: string; type: string; compression_codec: string }>(
      "SELECT name, type, compression_codec FROM system.columns WHERE database = 'otel' AND table = 'otel_traces' ORDER BY position",
    );
    // internal/sqltemplates/traces_table.sql of clickhouseexporter v0.165.1 (Nested columns flattened).
    const zstd = 'CODEC(ZSTD(3))';
    expect(columns).toEqual([
      { name: 'Timestamp', type: 'DateTime64(9)', compression_codec: 'CODEC(Delta(8), ZSTD(3))' },
      { name: 'TraceId', type: 'String', compression_codec: zstd },
      { name: 'SpanId', type: 'String', compression_codec: zstd },
      { name: 'ParentSpanId', type: 'String', compression_codec: zstd },
      { name: 'TraceState', type: 'String', compression_codec: zstd },
      { name: 'SpanName', type: 'LowCardinality(String)', compression_codec: zstd },
      { name: 'SpanKind', type: 'LowCardinality(String)', compression_codec: zstd },
      { name: 'ServiceName', type: 'LowCardinality(String)', compression_codec: zstd },
      { name: 'ResourceAttributes', type: 'Map(LowCardinality(String), String)', compression_codec: zstd },
      { name: 'ScopeName', type: 'String', compression_codec: zstd },
      { name: 'ScopeVersion', type: 'String', compression_codec: zstd },
      { name: 'SpanAttributes', type: 'Map(LowCardinality(String), String)', compression_codec: zstd },
      { name: 'Duration', type: 'UInt64', compression_codec: zstd },
      { name: 'StatusCode', type: 'LowCardinality(String)', compression_codec: zstd },
      { name: 'StatusMessage', type: 'String', compression_codec: zstd },
      { name: 'Events.Timestamp', type: 'Array(DateTime64(9))', compression_codec: zstd },
      { name: 'Events.Name', type: 'Array(LowCardinality(String))', compression_codec: zstd },
      {
        name: 'Events.Attributes',
        type: 'Array(Map(LowCardinality(String), String))',
        compression_codec: zstd,
      },
      { name: 'Links.TraceId', type: 'Array(String)', compression_codec: zstd },
      { name: 'Links.SpanId', type: 'Array(String)', compression_codec: zstd },
      { name: 'Links.TraceState', type: 'Array(String)', compression_codec: zstd },
      {
        name: 'Links.Attributes',
        type: 'Array(Map(LowCardinality(String), String))',
        compression_codec: zstd,
      },
    ]);
    // Every column the exporter's INSERT names exists (it fails the batch otherwise).
    expect(EXPORTER_TRACE_COLUMNS.every((name) => columns.some((c) => c.name === name))).toBe(true);
  });

  it('create the exporter tables, keys, skip indexes and settings', () => {
    const tables = engine.query<{ name: string; engine: string; partition_key: string; sorting_key: string }>(
      "SELECT name, engine, partition_key, sorting_key FROM system.tables WHERE database = 'otel' AND name LIKE 'otel\\_%' ORDER BY name",
    );
    const metricKey = 'ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix';
    expect(tables).toEqual([
      {
        name: 'otel_metrics_exponential_histogram',
        engine: 'MergeTree',
        partition_key: 'toDate(TimeUnix)',
        sorting_key: metricKey,
      },
      {
        name: 'otel_metrics_gauge',
        engine: 'MergeTree',
        partition_key: 'toDate(TimeUnix)',
        sorting_key: metricKey,
      },
      {
        name: 'otel_metrics_histogram',
        engine: 'MergeTree',
        partition_key: 'toDate(TimeUnix)',
        sorting_key: metricKey,
      },
      {
        name: 'otel_metrics_sum',
        engine: 'MergeTree',
        partition_key: 'toDate(TimeUnix)',
        sorting_key: metricKey,
      },
      {
        name: 'otel_metrics_summary',
        engine: 'MergeTree',
        partition_key: 'toDate(TimeUnix)',
        sorting_key: metricKey,
      },
      {
        name: 'otel_traces',
        engine: 'MergeTree',
        partition_key: 'toDate(Timestamp)',
        sorting_key: 'ServiceName, SpanName, toDateTime(Timestamp)',
      },
      {
        name: 'otel_traces_trace_id_ts',
        engine: 'MergeTree',
        partition_key: 'toDate(Start)',
        sorting_key: 'TraceId, Start',
      },
      { name: 'otel_traces_trace_id_ts_mv', engine: 'MaterializedView', partition_key: '', sorting_key: '' },
    ]);
    const indexes = engine.query<{ name: string; type_full: string; expr: string }>(
      "SELECT name, type_full, expr FROM system.data_skipping_indices WHERE database = 'otel' AND table = 'otel_traces' ORDER BY name",
    );
    expect(indexes).toEqual([
      { name: 'idx_duration', type_full: 'minmax', expr: 'Duration' },
      { name: 'idx_res_attr_key', type_full: 'bloom_filter(0.01)', expr: 'mapKeys(ResourceAttributes)' },
      { name: 'idx_res_attr_value', type_full: 'bloom_filter(0.01)', expr: 'mapValues(ResourceAttributes)' },
      { name: 'idx_span_attr_key', type_full: 'bloom_filter(0.01)', expr: 'mapKeys(SpanAttributes)' },
      { name: 'idx_span_attr_value', type_full: 'bloom_filter(0.01)', expr: 'mapValues(SpanAttributes)' },
      { name: 'idx_trace_id', type_full: 'bloom_filter(0.001)', expr: 'TraceId' },
    ]);
    const [ddl] = engine.query<{ create_table_query: string }>(
      "SELECT create_table_query FROM system.tables WHERE database = 'otel' AND name = 'otel_traces'",
    );
    expect(ddl?.create_table_query).toContain('SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1');
    expect(ddl?.create_table_query).not.toContain('TTL');
  });

  it('fill the trace-id lookup table like the exporter does', () => {
    const rows = engine.query("SELECT count() AS n FROM otel.otel_traces_trace_id_ts WHERE TraceId != ''");
    expect(rows).toEqual([{ n: '2' }]);
  });
});

describe('retention', () => {
  let engine: EngineSession;
  beforeAll(async () => {
    engine = openEngine();
    await migrate(engine);
  });
  afterAll(async () => {
    await engine?.close();
  });

  const oldSpan = (spanId: string) =>
    callSpan({
      start: new Date(Date.now() - 500 * 86_400_000),
      spanId,
      provider: 'openai',
      requestModel: 'gpt-4o',
      usage: { input: 1000 },
    });
  const requests = () => engine.query<{ n: string }>('SELECT count() AS n FROM otel.aicost_requests')[0]!.n;

  it('drops a request past its 400-day TTL as it is inserted (why date-pinned suites keep their dates)', async () => {
    await insertSpans(engine, [oldSpan('00000000000000c1')]);
    expect(engine.query('SELECT SpanId FROM otel.otel_traces')).toEqual([{ SpanId: '00000000000000c1' }]);
    expect(requests()).toBe('0');
    keepPinnedDates(engine);
    await insertSpans(engine, [oldSpan('00000000000000c2')]);
    expect(requests()).toBe('1');
  });
});
