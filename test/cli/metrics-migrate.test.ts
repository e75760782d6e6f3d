/**
 * OTLP metrics into the exporter's metric tables, and `aicost migrate`
 * applied twice (locally and through a collector's ClickHouse HTTP interface).
 */
import { Readable } from 'node:stream';
import { readMigrations } from '@aicost/schema';
import { createClient } from '@clickhouse/client';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import {
  CHILD_PROCESS_TIMEOUT,
  makeSpans,
  postOtlp,
  runCli,
  serializeSpans,
  startCollector,
  tempDir,
  withCredential,
} from './support.js';

/** What a new database records: every migration this release has (`1, 2, 3`). */
const ALL_MIGRATIONS = readMigrations()
  .map((migration) => migration.version)
  .join(', ');

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function sqlJson(args: string[], query: string): Promise<any[]> {
  const res = await runCli(['sql', ...args, '--format', 'json', query]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout);
}

describe('metrics', () => {
  it('lands counters, gauges and histograms from the SDK in the exporter tables', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const reader = new OnDemandReader();
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'metrics-svc' }),
      readers: [reader],
    });
    const meter = provider.getMeter('aicost-test', '0.1.0');
    meter.createCounter('aicost.cost', { unit: 'USD' }).add(0.25, { 'aicost.feature': 'search' });
    meter.createCounter('requests').add(3, { 'aicost.feature': 'search' });
    meter.createGauge('queue.depth').record(7);
    const h = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
    for (const v of [10, 100, 1000]) h.record(v, { 'gen_ai.token.type': 'input' });
    const { resourceMetrics } = await reader.collect();
    const body = ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!;

    const collector = await startCollector();
    try {
      const res = await postOtlp(collector.otlpUrl, body, { signal: 'metrics' });
      expect(res.status, res.body.toString()).toBe(200);
      const dir = ['--data-dir', collector.dataDir];
      const sums = await sqlJson(
        dir,
        'SELECT MetricName, Value, IsMonotonic, AggregationTemporality, Attributes, ServiceName, MetricUnit FROM otel.otel_metrics_sum ORDER BY MetricName',
      );
      expect(sums).toEqual([
        {
          MetricName: 'aicost.cost',
          Value: 0.25,
          IsMonotonic: true,
          AggregationTemporality: 2,
          Attributes: "{'aicost.feature':'search'}",
          ServiceName: 'metrics-svc',
          MetricUnit: 'USD',
        },
        {
          MetricName: 'requests',
          Value: 3,
          IsMonotonic: true,
          AggregationTemporality: 2,
          Attributes: "{'aicost.feature':'search'}",
          ServiceName: 'metrics-svc',
          MetricUnit: '',
        },
      ]);
      expect(await sqlJson(dir, 'SELECT MetricName, Value FROM otel.otel_metrics_gauge')).toEqual([
        { MetricName: 'queue.depth', Value: 7 },
      ]);
      const [hist] = await sqlJson(
        dir,
        'SELECT Count, Sum, Min, Max, length(BucketCounts) = length(ExplicitBounds) + 1 AS shape, arraySum(BucketCounts) AS total, ScopeName, ScopeVersion FROM otel.otel_metrics_histogram',
      );
      expect(hist).toEqual({
        Count: '3',
        Sum: 1110,
        Min: 10,
        Max: 1000,
        shape: 1,
        total: '3',
        ScopeName: 'aicost-test',
        ScopeVersion: '0.1.0',
      });
    } finally {
      expect(await collector.stop()).toBe(0);
    }
  });
});

describe('aicost migrate', () => {
  it('is idempotent on a local store', { timeout: CHILD_PROCESS_TIMEOUT }, async () => {
    const dataDir = tempDir();
    const first = await runCli(['migrate', '--data-dir', dataDir]);
    expect(first.code, first.stderr).toBe(0);
    const tables = await sqlJson(
      ['--data-dir', dataDir],
      "SELECT name FROM system.tables WHERE database = 'otel' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['otel_traces', 'aicost_requests', 'aicost_prices']),
    );
    expect(first.stdout).toMatch(
      new RegExp(
        `^installed the schema \\(migrations ${ALL_MIGRATIONS} recorded\\): \\d+ statements in otel on the store in `,
      ),
    );
    const second = await runCli(['migrate', '--data-dir', dataDir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^schema already current: \d+ statements in otel on the store in /);
    const status = await runCli(['migrate', '--status', '--data-dir', dataDir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^0001 baseline +applied +\d{4}-\d\d-\d\d /m);
    expect(
      await sqlJson(
        ['--data-dir', dataDir],
        "SELECT name FROM system.tables WHERE database = 'otel' ORDER BY name",
      ),
    ).toEqual(tables);
  });

  it('loads the price catalogue with aicost prices load, replacing the previous load', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const dataDir = tempDir();
    expect((await runCli(['migrate', '--data-dir', dataDir])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const res = await runCli(['prices', 'load', '--data-dir', dataDir]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^loaded \d+ price rows and \d+ model aliases/);
    }
    const [counts] = await sqlJson(
      ['--data-dir', dataDir],
      `SELECT (SELECT count() FROM otel.aicost_prices FINAL) AS prices,
              (SELECT count() FROM otel.aicost_prices WHERE provider_id = 'openai' AND model_id = 'gpt-4o-mini') AS mini`,
    );
    expect(Number(counts.prices)).toBeGreaterThan(500);
    expect(Number(counts.mini)).toBeGreaterThan(0);
    const [total] = await sqlJson(['--data-dir', dataDir], 'SELECT count() AS n FROM otel.aicost_prices');
    // Loaded twice, stored once.
    expect(total.n).toBe(counts.prices);
  });

  it('applies through a ClickHouse URL twice without touching the data, and is refused by a read-only one', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const collector = await startCollector({ args: ['--writable'] });
    const readOnly = await startCollector();
    try {
      const spans = makeSpans([{ attributes: { 'gen_ai.operation.name': 'chat', 'aicost.feature': 'm' } }]);
      expect((await postOtlp(collector.otlpUrl, serializeSpans(spans, 'protobuf'))).status).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await runCli(
          ['migrate', '--clickhouse-url', collector.clickhouseUrl, '--user', 'default'],
          withCredential(collector),
        );
        expect(res.code, res.stderr).toBe(0);
        // `aicost up` installed the schema when it opened the store: nothing is pending.
        expect(res.stdout).toMatch(
          new RegExp(`^schema already current: \\d+ statements in otel on ${collector.clickhouseUrl}`),
        );
      }
      const count = await runCli(['sql', '--format', 'csv', 'SELECT count() AS n FROM otel.otel_traces'], {
        env: { CLICKHOUSE_URL: collector.clickhouseUrl, CLICKHOUSE_PASSWORD: collector.password },
      });
      expect(count.stdout).toBe('n\n1\n');
      const refused = await runCli(
        ['migrate', '--clickhouse-url', readOnly.clickhouseUrl],
        withCredential(readOnly),
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/read-only|readonly/i);
    } finally {
      expect(await collector.stop()).toBe(0);
      expect(await readOnly.stop()).toBe(0);
    }
  });
});

describe('a writable aicost up', () => {
  it('takes @clickhouse/client commands and inserts (JSONEachRow and CSV)', {
    timeout: CHILD_PROCESS_TIMEOUT,
  }, async () => {
    const collector = await startCollector({ args: ['--writable'] });
    const client = createClient({ url: collector.clickhouseUrl, password: collector.password });
    try {
      await client.command({
        query:
          'CREATE TABLE IF NOT EXISTS default.budgets (feature String, usd Decimal(18, 9)) ENGINE = MergeTree ORDER BY feature',
      });
      await client.insert({
        table: 'default.budgets',
        values: [
          { feature: 'search', usd: '12.500000001' },
          { feature: 'chat', usd: '0.000000001' },
        ],
        format: 'JSONEachRow',
      });
      await client.insert({
        table: 'default.budgets',
        values: Readable.from([Buffer.from('summarize,3.25\n')], { objectMode: false }),
        format: 'CSV',
      });
      const rows = await (
        await client.query({
          query: 'SELECT feature, toString(usd) AS usd FROM default.budgets ORDER BY feature',
          format: 'JSONEachRow',
        })
      ).json();
      // A client asking for readonly=1 gets it for its request only: the store stays writable.
      const ro = createClient({
        url: collector.clickhouseUrl,
        password: collector.password,
        clickhouse_settings: { readonly: '1' },
      });
      await expect(ro.command({ query: 'DROP TABLE default.budgets' })).rejects.toThrow(/readonly/);
      expect(
        await (
          await ro.query({ query: 'SELECT count() AS n FROM default.budgets', format: 'JSONEachRow' })
        ).json(),
      ).toEqual([{ n: '3' }]);
      await ro.close();
      expect(rows).toEqual([
        { feature: 'chat', usd: '0.000000001' },
        { feature: 'search', usd: '12.500000001' },
        { feature: 'summarize', usd: '3.25' },
      ]);
    } finally {
      await client.close();
      expect(await collector.stop()).toBe(0);
    }
  });
});
