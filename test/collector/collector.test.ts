/**
 * The real collector (collector/build.sh's aicost-otelcol) with our configs:
 * - collector/config.yaml validates and resolves its env vars and defaults;
 * - end to end: an app exports a GenAI span and a metric over OTLP/HTTP, the
 *   production receivers and processors pass them on, and every attribute
 *   arrives with the value and type the app set (the clickhouse exporter then
 *   stringifies these values; see collector/README.md).
 *
 * Skipped only when the binary has not been built (CI always builds it first).
 */
import {
  ATTR_AICOST_COST_CURRENCY,
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_CUSTOMER,
  ATTR_AICOST_FEATURE,
  ATTR_AICOST_REQUEST_STREAM,
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SERVICE_NAME,
  COST_STATUS,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '@aicost/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  assertPackagesBuilt,
  collectorBinaryOrSkipNotice,
  PRODUCTION_CONFIG,
  type RunningCollector,
  runCollectorCommand,
  startCollector,
  TEST_OTLP_TOKEN,
  TEST_OVERLAY_CONFIG,
} from './support/collector-process.js';
import { exportFromGenAIApp, type GenAIAppSpan } from './support/genai-app.js';
import { attributeMap, type OtlpSink, startOtlpSink } from './support/otlp-sink.js';

const binary = collectorBinaryOrSkipNotice();

const CLICKHOUSE_ENV = {
  CLICKHOUSE_ENDPOINT: 'https://clickhouse.internal.example:8443',
  CLICKHOUSE_DATABASE: 'aicost_prod',
  CLICKHOUSE_USERNAME: 'otel_writer',
  CLICKHOUSE_PASSWORD: 's3cret',
  CLICKHOUSE_COMPRESS: 'zstd',
  CLICKHOUSE_TTL: '720h',
  AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN,
};

function printConfig(configs: string[], env: Record<string, string>): any {
  const result = runCollectorCommand(
    binary.path,
    ['print-config', ...configs.flatMap((c) => ['--config', c])],
    env,
  );
  expect(result.status, result.stderr).toBe(0);
  return parseYaml(result.stdout);
}

describe.skipIf(!binary.exists)('collector/config.yaml on the real collector', () => {
  it('validates with every ClickHouse setting taken from the environment', () => {
    const result = runCollectorCommand(
      binary.path,
      ['validate', '--config', PRODUCTION_CONFIG],
      CLICKHOUSE_ENV,
    );
    expect(result.status, result.stderr).toBe(0);
  });

  it('resolves the env vars into the clickhouse exporter and keeps the schema ours', () => {
    const config = printConfig([PRODUCTION_CONFIG], CLICKHOUSE_ENV);
    const clickhouse = config.exporters.clickhouse;
    expect(clickhouse.endpoint).toBe(CLICKHOUSE_ENV.CLICKHOUSE_ENDPOINT);
    expect(clickhouse.database).toBe(CLICKHOUSE_ENV.CLICKHOUSE_DATABASE);
    expect(clickhouse.username).toBe(CLICKHOUSE_ENV.CLICKHOUSE_USERNAME);
    expect(clickhouse.password).not.toContain(CLICKHOUSE_ENV.CLICKHOUSE_PASSWORD);
    expect(clickhouse.compress).toBe('zstd');
    expect(clickhouse.ttl).toBe('720h0m0s');
    expect(clickhouse.create_schema).toBe(false);
    expect(clickhouse.sending_queue.batch).toMatchObject({
      min_size: 10000,
      max_size: 50000,
      flush_timeout: '5s',
    });
    expect(config.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'redaction/store_content_false'],
      exporters: ['clickhouse'],
    });
    expect(config.service.pipelines.metrics.exporters).toEqual(['clickhouse']);
  });

  it('falls back to defaults that match the schema (@aicost/schema) when no env var is set', () => {
    const clickhouse = printConfig([PRODUCTION_CONFIG], { AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN }).exporters
      .clickhouse;
    expect(clickhouse).toMatchObject({
      endpoint: 'http://localhost:8123',
      database: 'otel',
      username: 'default',
      compress: 'lz4',
      async_insert: false,
      traces_table_name: 'otel_traces',
    });
    expect(clickhouse.metrics_tables.sum.name).toBe('otel_metrics_sum');
  });

  it('fails validation when the ClickHouse endpoint is not a URL', () => {
    const result = runCollectorCommand(binary.path, ['validate', '--config', PRODUCTION_CONFIG], {
      ...CLICKHOUSE_ENV,
      CLICKHOUSE_ENDPOINT: 'clickhouse:8123 oops',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('exporters::clickhouse');
  });

  it('validates with the test overlay', () => {
    const result = runCollectorCommand(
      binary.path,
      ['validate', '--config', PRODUCTION_CONFIG, '--config', TEST_OVERLAY_CONFIG],
      { AICOST_TEST_SINK_ENDPOINT: 'http://127.0.0.1:9', AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN },
    );
    expect(result.status, result.stderr).toBe(0);
  });
});

describe.skipIf(!binary.exists)('an app exporting to the real collector, end to end', () => {
  const ENVIRONMENT = 'e2e';
  const startTimeMs = Date.UTC(2026, 10, 28, 12, 0, 0, 250);
  const durationMs = 1234;
  const app: GenAIAppSpan = {
    name: 'chat gpt-4o-mini',
    startTimeMs,
    durationMs,
    attributes: {
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-mini-2024-07-18',
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.2,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1200,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 350,
      [ATTR_AICOST_COST_TOTAL]: '0.000390000',
      [ATTR_AICOST_COST_CURRENCY]: 'USD',
      [ATTR_AICOST_COST_STATUS]: COST_STATUS.PRICED,
      [ATTR_AICOST_FEATURE]: 'ticket-summary',
      [ATTR_AICOST_CUSTOMER]: 'acme',
      [ATTR_AICOST_REQUEST_STREAM]: false,
    },
    metric: {
      name: METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
      unit: '{token}',
      value: 1200,
      attributes: { [ATTR_GEN_AI_TOKEN_TYPE]: 'input', [ATTR_AICOST_FEATURE]: 'ticket-summary' },
    },
  };

  let sink: OtlpSink;
  let collector: RunningCollector;
  let exported: { traceId: string; spanId: string };

  beforeAll(async () => {
    assertPackagesBuilt('core', 'node');
    sink = await startOtlpSink();
    collector = await startCollector(binary.path, [PRODUCTION_CONFIG, TEST_OVERLAY_CONFIG], {
      AICOST_TEST_SINK_ENDPOINT: sink.endpoint,
      AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN,
    });
    exported = await exportFromGenAIApp({
      otlpEndpoint: collector.otlpHttpEndpoint,
      headers: { Authorization: `Bearer ${TEST_OTLP_TOKEN}` },
      serviceName: 'support-bot',
      environment: ENVIRONMENT,
      span: app,
    });
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await sink?.close();
  });

  it('runs the app on the project Node (>= 22.15)', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 15)).toBe(true);
  });

  it('delivers the span the app exported, with its identity and timing intact', async () => {
    const { resource, scope, span } = await sink.waitFor(() => findSpan(sink, exported.traceId));
    expect(span.spanId).toBe(exported.spanId);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(3); // SPAN_KIND_CLIENT: the exporter writes `Client`
    expect(span.status?.code).toBe(1); // STATUS_CODE_OK: `Ok`
    expect(span.parentSpanId ?? '').toBe(''); // root span: ParentSpanId ''
    expect(scope).toEqual({ name: 'aicost-e2e-app', version: '1.0.0' });
    // The exporter's Timestamp is the start, Duration is end - start in nanoseconds.
    expect(BigInt(span.startTimeUnixNano)).toBe(BigInt(startTimeMs) * 1_000_000n);
    expect(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)).toBe(
      BigInt(durationMs) * 1_000_000n,
    );
    expect(attributeMap(resource)).toMatchObject({
      [ATTR_SERVICE_NAME]: { stringValue: 'support-bot' },
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: { stringValue: ENVIRONMENT },
    });
  });

  it('keeps every GenAI and aicost attribute with its value and OTLP type', async () => {
    const { span } = await sink.waitFor(() => findSpan(sink, exported.traceId));
    expect(attributeMap(span.attributes)).toEqual({
      [ATTR_GEN_AI_OPERATION_NAME]: { stringValue: 'chat' },
      [ATTR_GEN_AI_PROVIDER_NAME]: { stringValue: 'openai' },
      [ATTR_GEN_AI_REQUEST_MODEL]: { stringValue: 'gpt-4o-mini' },
      [ATTR_GEN_AI_RESPONSE_MODEL]: { stringValue: 'gpt-4o-mini-2024-07-18' },
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: { doubleValue: 0.2 },
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: { arrayValue: { values: [{ stringValue: 'stop' }] } },
      // Token counts travel as OTLP ints (JSON strings): ClickHouse gets "1200", not "1200.0".
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: { intValue: '1200' },
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: { intValue: '350' },
      // Money stays the exact decimal string the SDK wrote; nothing turns it into a float.
      [ATTR_AICOST_COST_TOTAL]: { stringValue: '0.000390000' },
      [ATTR_AICOST_COST_CURRENCY]: { stringValue: 'USD' },
      [ATTR_AICOST_COST_STATUS]: { stringValue: 'priced' },
      [ATTR_AICOST_FEATURE]: { stringValue: 'ticket-summary' },
      [ATTR_AICOST_CUSTOMER]: { stringValue: 'acme' },
      [ATTR_AICOST_REQUEST_STREAM]: { boolValue: false },
    });
  });

  it('passes the metrics pipeline through too', async () => {
    const metric = await sink.waitFor(() =>
      sink.resourceMetrics
        .flatMap((rm) => rm.scopeMetrics ?? [])
        .flatMap((sm) => sm.metrics ?? [])
        .find((m) => m.name === METRIC_GEN_AI_CLIENT_TOKEN_USAGE),
    );
    expect(metric.unit).toBe('{token}');
    const [point] = metric.histogram?.dataPoints ?? [];
    expect(point?.count).toBe('1');
    expect(point?.sum).toBe(1200);
    expect(attributeMap(point?.attributes)).toEqual({
      [ATTR_GEN_AI_TOKEN_TYPE]: { stringValue: 'input' },
      [ATTR_AICOST_FEATURE]: { stringValue: 'ticket-summary' },
    });
  });

  it('answers its health check while running', async () => {
    const response = await fetch(collector.healthUrl);
    expect(response.status).toBe(200);
  });
});

function findSpan(sink: OtlpSink, traceId: string) {
  for (const resourceSpans of sink.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const span = scopeSpans.spans?.find((s) => s.traceId === traceId);
      if (span) return { resource: resourceSpans.resource?.attributes, scope: scopeSpans.scope, span };
    }
  }
  return undefined;
}
