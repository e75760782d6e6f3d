import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, NODE_BIN } from './support/build.js';
import { type OtlpReceiver, startOtlpGrpcReceiver, startOtlpReceiver } from './support/otlp-receiver.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(NODE_BIN, args, {
    cwd: fixtures,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const finished = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return { child, finished };
}

function otelEnv(receiver: OtlpReceiver, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: 'fixture-app',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    // Nothing is exported on a timer during the test: what arrives was flushed at exit.
    OTEL_BSP_SCHEDULE_DELAY: '60000',
    OTEL_METRIC_EXPORT_INTERVAL: '60000',
    ...extra,
  };
}

let receiver: OtlpReceiver;

beforeAll(() => ensureBuilt('core', 'node'), 180_000);
afterEach(async () => receiver?.close());

describe('node --import @aicost/node/register (ESM), OTLP http/protobuf', () => {
  it('exports priced, attributed spans and cost metrics at exit', async () => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20test-token' }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n')[0] ?? '{}')).toEqual({
      sameHandle: true,
      hasSdk: true,
    });

    const span = receiver.spans.find((s) => s.name === 'chat gpt-4o-mini');
    expect(span, JSON.stringify(receiver.spans)).toBeDefined();
    expect(span?.attributes).toMatchObject({
      'aicost.feature': 'summarize',
      'aicost.customer': 'acme',
      'aicost.cost.status': 'priced',
      'aicost.cost.currency': 'USD',
      'aicost.usage.source': 'opentelemetry',
    });
    expect(span?.attributes['aicost.cost.total']).toMatch(/^\d+\.\d{9}$/);
    expect(Number(span?.attributes['aicost.cost.total'])).toBeGreaterThan(0);
    expect(span?.resource).toMatchObject({
      'service.name': 'fixture-app',
      'deployment.environment.name': 'test',
    });

    const cost = receiver.points.find((p) => p.metric === 'aicost.cost');
    expect(cost?.unit).toBe('USD');
    expect(cost?.attributes).toMatchObject({
      'aicost.feature': 'summarize',
      'gen_ai.provider.name': 'openai',
    });
    expect(cost?.attributes['aicost.customer']).toBeUndefined();
    expect(cost?.value).toBeCloseTo(Number(span?.attributes['aicost.cost.total']), 9);
    expect(receiver.requests.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/v1/metrics', '/v1/traces']);
    expect(receiver.requests.map((r) => r.authorization)).toEqual(['Bearer test-token', 'Bearer test-token']);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'flushes on %s and then dies of the signal, as the app would without aicost',
    async (signal) => {
      receiver = await startOtlpReceiver();
      const { child, finished } = run(
        ['--import', '@aicost/node/register', 'app-esm.mjs'],
        otelEnv(receiver, { FIXTURE_WAIT_FOR_SIGNAL: '1' }),
      );
      await waitForOutput(child, 'READY');
      expect(receiver.spans).toHaveLength(0);
      child.kill(signal);
      const result = await finished;
      expect(result.signal).toBe(signal);
      expect(result.code).toBeNull();
      expect(receiver.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
    },
  );

  it("flushes on SIGTERM but leaves the exit to the application's own handler", async () => {
    receiver = await startOtlpReceiver();
    const { child, finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { FIXTURE_WAIT_FOR_SIGNAL: '1', FIXTURE_APP_HANDLES_SIGTERM: 'exit' }),
    );
    await waitForOutput(child, 'READY');
    child.kill('SIGTERM');
    const result = await finished;
    expect(result.code).toBe(3);
    expect(receiver.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
  });

  it('keeps exporting while the application drains after SIGTERM, then flushes at its natural exit', async () => {
    receiver = await startOtlpReceiver();
    const { child, finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { FIXTURE_WAIT_FOR_SIGNAL: '1', FIXTURE_APP_HANDLES_SIGTERM: 'drain' }),
    );
    await waitForOutput(child, 'READY');
    child.kill('SIGTERM');
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(['chat gpt-4o-mini', 'drain work']);
  });

  it.each([
    ['OTEL_SDK_DISABLED', 'true'],
    ['AICOST_ENABLED', 'false'],
    ['AICOST_ENABLED', 'off'],
  ])('sends nothing when %s=%s, and the app still runs', async (name, value) => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { [name]: value }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ sameHandle: true, hasSdk: false });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('node -r @aicost/node/register (CommonJS), OTLP http/json', () => {
  it('exports priced, attributed spans in JSON', async () => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['-r', '@aicost/node/register', 'app-cjs.cjs'],
      otelEnv(receiver, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ sameHandle: true, hasSdk: true });
    const span = receiver.spans.find((s) => s.name === 'chat gpt-4o-mini');
    expect(span?.attributes).toMatchObject({
      'aicost.feature': 'classify',
      'aicost.team': 'support',
      'aicost.cost.status': 'priced',
    });
    expect(receiver.points.some((p) => p.metric === 'aicost.cost')).toBe(true);
    expect(receiver.requests.every((r) => r.contentType.startsWith('application/json'))).toBe(true);
  });
});

describe('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  it('grpc: spans and metrics go over OTLP/gRPC, with the headers', async () => {
    receiver = await startOtlpGrpcReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20grpc-token',
      }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('OTLP protocol');
    const span = receiver.spans.find((s) => s.name === 'chat gpt-4o-mini');
    expect(span?.attributes).toMatchObject({ 'aicost.feature': 'summarize', 'aicost.cost.status': 'priced' });
    expect(receiver.points.some((p) => p.metric === 'aicost.cost')).toBe(true);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual([
      '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    ]);
    expect(receiver.requests.map((r) => r.authorization)).toEqual(['Bearer grpc-token', 'Bearer grpc-token']);
  });

  it('an unknown protocol is named in one warning per signal and http/protobuf is used', async () => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/thrift' }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('OTLP protocol "http/thrift"'));
    expect(warnings).toHaveLength(2);
    expect(receiver.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
    expect(receiver.requests.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
  });
});

describe('OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER', () => {
  it('console: each priced span is printed to stdout, and nothing is sent over OTLP', async () => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none' }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("name: 'chat gpt-4o-mini'");
    expect(result.stdout).toContain("'aicost.cost.status': 'priced'");
    expect(result.stdout).toContain("'aicost.feature': 'summarize'");
    expect(result.stderr).not.toContain('not flushed');
    expect(receiver.requests).toEqual([]);
  });

  it('otlp,console: the spans go to both', async () => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { OTEL_TRACES_EXPORTER: 'otlp,console' }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("name: 'chat gpt-4o-mini'");
    expect(receiver.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
  });

  it('a value aicost does not build is named in one warning, and OTLP still gets the spans', async () => {
    receiver = await startOtlpReceiver();
    const { finished } = run(
      ['--import', '@aicost/node/register', 'app-esm.mjs'],
      otelEnv(receiver, { OTEL_TRACES_EXPORTER: 'zipkin' }),
    );
    const result = await finished;
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('OTEL_TRACES_EXPORTER'));
    expect(warnings).toEqual([
      'aicost: OTEL_TRACES_EXPORTER: "zipkin" not supported (otlp, console, none); using otlp',
    ]);
    expect(receiver.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
  });
});

async function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child never printed ${text}: ${seen}`)), 20_000);
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`child exited before printing ${text}: ${seen}`)));
  });
}
