/**
 * The whole production path without a ClickHouse server: an app exports a
 * GenAI span to the real collector running collector/config.yaml, whose
 * clickhouse exporter writes (over the ClickHouse HTTP protocol, exactly as it
 * would to a server) into `aicost up`'s embedded engine; the schema's
 * materialized view turns the span into a priced request.
 *
 * Skipped only when the collector binary has not been built (CI builds it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTR_AICOST_COST_CURRENCY,
  ATTR_AICOST_COST_STATUS,
  ATTR_AICOST_COST_TOTAL,
  ATTR_AICOST_CUSTOMER,
  ATTR_AICOST_FEATURE,
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
import {
  assertPackagesBuilt,
  collectorBinaryOrSkipNotice,
  PRODUCTION_CONFIG,
  REPO_ROOT,
  type RunningCollector,
  startCollector,
  TEST_OTLP_TOKEN,
} from './support/collector-process.js';
import { exportFromGenAIApp, type GenAIAppSpan } from './support/genai-app.js';

const binary = collectorBinaryOrSkipNotice();

const AICOST_CLI = join(REPO_ROOT, 'packages/cli/dist/bin.js');

interface LocalCollector {
  otlpEndpoint: string;
  clickhouseEndpoint: string;
  process: ChildProcess;
  output(): string;
}

/** `aicost up` on random loopback ports; resolves once it prints its ready line. */
async function startAicostUp(dataDir: string): Promise<LocalCollector> {
  const child = spawn(
    process.execPath,
    [AICOST_CLI, 'up', '--writable', '--port', '0', '--clickhouse-port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aicost up not ready after 30 s:\n${output}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const ready = /aicost up: ready otlp=(\S+) clickhouse=(\S+)/.exec(output);
      if (!ready?.[1] || !ready[2]) return;
      clearTimeout(timer);
      // aicost up requires the credential it keeps in its data directory on its SQL port.
      clickhousePassword = (
        JSON.parse(readFileSync(join(dataDir, 'credential.json'), 'utf8')) as { password: string }
      ).password;
      resolve({ otlpEndpoint: ready[1], clickhouseEndpoint: ready[2], process: child, output: () => output });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`aicost up exited with ${code}:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Rows of a SELECT over the ClickHouse HTTP interface, as a client (Grafana, clickhouse-client) would ask. */
let clickhousePassword = '';

async function selectRows<T>(endpoint: string, sql: string): Promise<T[]> {
  const response = await fetch(`${endpoint}/?default_format=JSONEachRow`, {
    method: 'POST',
    body: sql,
    headers: { 'X-ClickHouse-Key': clickhousePassword },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

async function waitForRows<T>(endpoint: string, sql: string, timeoutMs = 20_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await selectRows<T>(endpoint, sql);
    if (rows.length > 0 || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!binary.exists)('app -> real collector -> aicost up (ClickHouse HTTP) -> schema', () => {
  const ENVIRONMENT = 'prod';
  const startTimeMs = Date.UTC(2026, 10, 28, 9, 30, 0, 0);
  const app: GenAIAppSpan = {
    name: 'chat claude-sonnet-4-5',
    startTimeMs,
    durationMs: 2500,
    attributes: {
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'anthropic',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'claude-sonnet-4-5',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'claude-sonnet-4-5-20250929',
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: 0.7,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['end_turn'],
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2048,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 512,
      // Recorded by the SDK: the schema keeps a recorded cost as is.
      [ATTR_AICOST_COST_TOTAL]: '0.013824000',
      [ATTR_AICOST_COST_CURRENCY]: 'USD',
      [ATTR_AICOST_COST_STATUS]: COST_STATUS.PRICED,
      [ATTR_AICOST_FEATURE]: 'ticket-summary',
      [ATTR_AICOST_CUSTOMER]: 'acme',
    },
    metric: {
      name: METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
      unit: '{token}',
      value: 2048,
      attributes: { [ATTR_GEN_AI_TOKEN_TYPE]: 'input', [ATTR_AICOST_FEATURE]: 'ticket-summary' },
    },
  };

  let dataDir: string;
  let local: LocalCollector;
  let collector: RunningCollector;
  let exported: { traceId: string; spanId: string };

  beforeAll(async () => {
    assertPackagesBuilt('core', 'node', 'cli');
    dataDir = mkdtempSync(join(tmpdir(), 'aicost-collector-e2e-'));
    local = await startAicostUp(dataDir);
    collector = await startCollector(
      binary.path,
      [PRODUCTION_CONFIG],
      {
        CLICKHOUSE_ENDPOINT: local.clickhouseEndpoint,
        CLICKHOUSE_PASSWORD: clickhousePassword,
        // The local collector speaks plain HTTP; lz4/zstd would need ClickHouse's block framing.
        CLICKHOUSE_COMPRESS: 'none',
        AICOST_OTLP_TOKEN: TEST_OTLP_TOKEN,
      },
      [
        // The production flush waits up to 5 s for a batch to fill; the test does not need to.
        '--set=exporters.clickhouse.sending_queue.batch.flush_timeout=100ms',
        // No internal metrics endpoint on :8888, which parallel runs would fight over.
        '--set=service.telemetry.metrics.level=none',
      ],
    );
    exported = await exportFromGenAIApp({
      otlpEndpoint: collector.otlpHttpEndpoint,
      headers: { Authorization: `Bearer ${TEST_OTLP_TOKEN}` },
      serviceName: 'support-bot',
      environment: ENVIRONMENT,
      span: app,
    });
  }, 120_000);

  afterAll(async () => {
    await collector?.stop();
    if (local) await stopChild(local.process);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lands the span in otel_traces exactly as the exporter writes it', async () => {
    const rows = await waitForRows<Record<string, unknown>>(
      local.clickhouseEndpoint,
      `SELECT ServiceName, SpanName, SpanKind, StatusCode, Duration, ParentSpanId, ScopeName,
              toUnixTimestamp64Nano(Timestamp) AS StartNs, SpanAttributes, ResourceAttributes
       FROM otel.otel_traces WHERE TraceId = '${exported.traceId}' AND SpanId = '${exported.spanId}'`,
    );
    expect(rows, collector.output()).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      ServiceName: 'support-bot',
      SpanName: 'chat claude-sonnet-4-5',
      SpanKind: 'Client',
      StatusCode: 'Ok',
      ParentSpanId: '',
      ScopeName: 'aicost-e2e-app',
    });
    // UInt64 and Int64 come back quoted in JSON output.
    expect(String(row?.Duration)).toBe('2500000000');
    expect(String(row?.StartNs)).toBe(String(BigInt(startTimeMs) * 1_000_000n));
    // Every value is a string now: ints as digits, doubles shortest form, arrays as JSON.
    expect(row?.SpanAttributes).toEqual({
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'anthropic',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'claude-sonnet-4-5',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'claude-sonnet-4-5-20250929',
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: '0.7',
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: '["end_turn"]',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: '2048',
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: '512',
      [ATTR_AICOST_COST_TOTAL]: '0.013824000',
      [ATTR_AICOST_COST_CURRENCY]: 'USD',
      [ATTR_AICOST_COST_STATUS]: 'priced',
      [ATTR_AICOST_FEATURE]: 'ticket-summary',
      [ATTR_AICOST_CUSTOMER]: 'acme',
    });
    expect(row?.ResourceAttributes).toMatchObject({
      [ATTR_SERVICE_NAME]: 'support-bot',
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: ENVIRONMENT,
    });
  });

  it('turns it into a request with its exact cost and attribution', async () => {
    const rows = await waitForRows<Record<string, unknown>>(
      local.clickhouseEndpoint,
      `SELECT service, environment, provider, model, input_tokens, output_tokens, duration_ns,
              toString(cost_total) AS cost_total, cost_status, feature, customer, status_code
       FROM otel.aicost_requests WHERE trace_id = '${exported.traceId}'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      service: 'support-bot',
      environment: ENVIRONMENT,
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      cost_total: '0.013824',
      cost_status: 'priced',
      feature: 'ticket-summary',
      customer: 'acme',
      status_code: 'Ok',
    });
    expect(String(rows[0]?.input_tokens)).toBe('2048');
    expect(String(rows[0]?.output_tokens)).toBe('512');
    expect(String(rows[0]?.duration_ns)).toBe('2500000000');
  });

  it('lands the metric in otel_metrics_histogram', async () => {
    const rows = await waitForRows<Record<string, unknown>>(
      local.clickhouseEndpoint,
      `SELECT ServiceName, MetricUnit, Count, Sum, Attributes FROM otel.otel_metrics_histogram
       WHERE MetricName = '${METRIC_GEN_AI_CLIENT_TOKEN_USAGE}'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      ServiceName: 'support-bot',
      MetricUnit: '{token}',
      Sum: 2048,
      Attributes: { [ATTR_GEN_AI_TOKEN_TYPE]: 'input', [ATTR_AICOST_FEATURE]: 'ticket-summary' },
    });
    expect(String(rows[0]?.Count)).toBe('1');
  });
});
